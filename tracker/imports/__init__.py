"""Reading the files coordinators bring: CSV as spreadsheets save it, line by line."""
