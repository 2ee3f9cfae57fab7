"""Photos of a household's house and land (รูปถ่ายบ้านและที่ดิน), kept in object storage."""
