"""The GWS dialect in one room: the wire shapes (`wire`: msgspec Structs, the only place the
GWS field names live), the history parameters (`params`) and the bodies and notification
payloads of the asynchronous operations (`operations`).

It turns wire data into domain objects and typed parameters and back; it never reads or writes
the store and never calls a use case. `api`, `web` and `cli` use it; `services` do not.
"""
