"""The long view (ผลการดำเนินงานสะสม): what each programme reached from any start year,
historical records from before the platform added to what the platform counted."""
