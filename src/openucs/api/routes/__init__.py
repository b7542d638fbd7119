"""Route handlers: decode the wire DTO, call one service function, encode the result."""
