"""The agency's programmes, by the codes events carry."""

from enum import StrEnum


class Programme(StrEnum):
    BAAN_MANKONG = "BAAN_MANKONG"  # บ้านมั่นคง, urban secure housing
    BAAN_PHO_PHIANG = "BAAN_PHO_PHIANG"  # บ้านพอเพียงชนบท, rural repair and rebuild
    LAND_REFORM = "LAND_REFORM"  # บ้านมั่นคงชนบทในเขตปฏิรูปที่ดิน
    CANAL = "CANAL"  # ริมคลอง
    HOMELESS = "HOMELESS"  # ศูนย์พัฒนาศักยภาพคนไร้บ้าน
    EMERGENCY = "EMERGENCY"  # ไฟไหม้ ไล่รื้อ ภัยพิบัติ
