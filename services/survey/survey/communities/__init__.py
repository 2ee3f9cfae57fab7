"""Communities (ชุมชน) and villages (หมู่บ้าน): where households live, inside a sub-district."""
