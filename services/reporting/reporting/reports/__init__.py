"""Reports (รายงานผลการดำเนินงาน): progress by programme and province, the funnel, freshness."""
