"""What the server and every desktop node share: the protocol version, the record-type
catalogue and the value codecs. Standard library only; imports neither Django nor Qt."""

PROTOCOL_VERSION = 1
