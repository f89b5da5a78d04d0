"""What RQ workers need to run the hotline's jobs."""
