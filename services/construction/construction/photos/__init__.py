"""Photo evidence (ภาพถ่ายหลักฐาน) on progress updates, kept behind a storage interface."""
