"""What an operator or a monitor uses to run a deployment: /healthz, failed jobs, the Twilio
number's settings, the release step. Above the workers, below the composition roots."""
