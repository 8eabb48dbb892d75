"""Calendars: records -> iCalendar, and the two-way CalDAV sync.
May import: query/, write/, index/, read/ and the base modules."""
