"""iCalendar feeds: public event feeds, Talent Day as a yearly series, and personal feeds."""
