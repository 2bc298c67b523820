"""WeCom (企业微信) wire protocols: crypto, XML/JSON message formats, long connection, webhook."""
