"""One adapter per WeCom channel: wire format in, `Envelope` to the inbox, answer back out."""
