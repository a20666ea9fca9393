"""What both ways of running a driver share: the session that dispatches one call and records
it, the transcript, the host files mirrored into the driver's view, and the verdict."""
