"""Materials (วัสดุ): a project's purchase orders, their deliveries, and allocation to houses.

A house's materials cost is what was allocated to it, at the order's unit price.
"""
