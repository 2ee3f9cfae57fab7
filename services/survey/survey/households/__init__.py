"""Households (ครัวเรือนผู้เดือดร้อน): registration, screening and selection."""
