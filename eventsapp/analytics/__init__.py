"""Analytics across events: the figures of a period (a year, a half, a quarter, a series or chosen dates)
for the organizers' analytics page, its CSV and XLSX exports and the year-in-review report."""
