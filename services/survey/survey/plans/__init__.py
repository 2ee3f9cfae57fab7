"""Tambon housing plans (แผนพัฒนาที่อยู่อาศัยระดับตำบล): 3- or 5-year plans per tambon,
made by the community networks with the local administration (อปท.), agreed by the
tambon community council and adopted; a new version supersedes the adopted one."""
