"""The money report (การเงิน): budgets allocated, grants reserved and paid, loans
outstanding and in arrears, per programme × area."""
