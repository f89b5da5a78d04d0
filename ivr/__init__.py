"""The voice line: menus as data (menu), the call as a pure function (flow), words (speech),
TwiML (twiml), call state in Redis (call_store), the webhooks (views)."""
