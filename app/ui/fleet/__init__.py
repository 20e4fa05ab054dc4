"""The platform team's view of many boards: the fleet window (a painted list model) and kiosk."""
