"""Target against achieved (เป้าหมายเทียบผลการดำเนินงาน): per programme, fiscal year or
half-year and area, with a monthly time series."""
