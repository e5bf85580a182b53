"""Forms only clean input; their cleaned_data is the services' input. `public` holds the
residents' forms, `staff` those of the staff pages (an appeal's actions, a meeting's
outcomes, the forum's lines)."""
