"""Local administrations (องค์กรปกครองส่วนท้องถิ่น, อปท.): the about 7,850 councils and
municipalities that co-plan a tambon's housing, by their official codes."""
