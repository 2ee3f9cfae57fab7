"""The agency's national long-term targets (เป้าหมายระยะยาว) and how far plans and
achievements have come toward them."""
