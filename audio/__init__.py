"""Pre-rendered audio: every prompt a caller hears, made ahead of time and played by Twilio.

engines (gTTS, espeak-ng) render texts; recordings made by a person override them; build renders
what is missing into AUDIO_DIR under content-hashed names with a manifest; library answers
"which file says this text" at call time; spoken_dates composes dates and numbers from clips;
views serves the files; cli is `flask audio ...`. Nothing here synthesizes during a call.
"""
