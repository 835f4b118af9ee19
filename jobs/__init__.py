"""Scheduled work (APScheduler 3 with the SQLAlchemy job store on the app's database)."""
