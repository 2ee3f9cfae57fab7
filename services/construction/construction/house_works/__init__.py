"""House works (งานก่อสร้างบ้าน): one per approved household, from plan to completion."""
