//! A small WebSocket client (RFC 6455) for reading what a server streams, over the HTTP
//! transport's own connection (the same TLS stack, pool and proxy settings): the opening
//! handshake, text and binary messages (fragmented or not), pings answered with pongs, a
//! close answered and ending the stream. It sends no data messages: the agent's log tail
//! only listens.

use std::pin::Pin;

use base64::Engine;
use bytes::Bytes;
use futures_core::Stream;
use sha1::{Digest, Sha1};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::Error;

/// A message received on a WebSocket.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WsMessage {
    /// A text message.
    Text(String),
    /// A binary message.
    Binary(Bytes),
}

/// The messages of an open WebSocket; the stream ends when the server closes it. Dropping
/// it closes the connection.
pub type WsStream = Pin<Box<dyn Stream<Item = Result<WsMessage, Error>> + Send>>;

/// Largest message accepted (16 MiB); a longer one ends the stream with an error.
pub const MAX_WS_MESSAGE: usize = 16 * 1024 * 1024;

/// The GUID of RFC 6455 §1.3, appended to the key to compute `Sec-WebSocket-Accept`.
const WS_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Random bytes for the handshake key and the masks of client frames (neither is a secret;
/// they only have to be unpredictable to intermediaries).
fn random_bytes<const N: usize>() -> [u8; N] {
    std::array::from_fn(|_| fastrand::u8(..))
}

/// A fresh `Sec-WebSocket-Key`: 16 random bytes, base64.
pub(crate) fn handshake_key() -> String {
    base64::engine::general_purpose::STANDARD.encode(random_bytes::<16>())
}

/// The `Sec-WebSocket-Accept` a server must answer to `key`.
pub(crate) fn accept_key(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(WS_GUID.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

const OP_CONTINUATION: u8 = 0x0;
const OP_TEXT: u8 = 0x1;
const OP_BINARY: u8 = 0x2;
const OP_CLOSE: u8 = 0x8;
const OP_PING: u8 = 0x9;
const OP_PONG: u8 = 0xA;

/// A client frame: FIN set, the payload masked with a fresh key.
fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(payload.len() + 14);
    frame.push(0x80 | opcode);
    match payload.len() {
        n if n < 126 => frame.push(0x80 | n as u8),
        n if n <= usize::from(u16::MAX) => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    let mask = random_bytes::<4>();
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

fn protocol(message: impl Into<String>) -> Error {
    Error::Protocol {
        message: format!("WebSocket: {}", message.into()),
    }
}

/// One frame as read: FIN, opcode, unmasked payload.
struct Frame {
    fin: bool,
    opcode: u8,
    payload: Vec<u8>,
}

/// Reads messages from an upgraded connection.
struct Reader<S> {
    io: S,
    /// A fragmented message being assembled: its opcode and bytes so far.
    partial: Option<(u8, Vec<u8>)>,
    closed: bool,
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Reader<S> {
    async fn read_frame(&mut self) -> Result<Option<Frame>, Error> {
        let io_err = |e: std::io::Error| Error::ResponseIncomplete {
            method: http::Method::GET,
            url: String::new(),
            message: format!("WebSocket read failed: {e}"),
            timed_out: false,
            source: Some(Box::new(e)),
        };
        let mut head = [0u8; 2];
        match self.io.read_exact(&mut head).await {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(io_err(e)),
        }
        let fin = head[0] & 0x80 != 0;
        if head[0] & 0x70 != 0 {
            return Err(protocol(
                "a frame sets reserved bits (no extension was agreed)",
            ));
        }
        let opcode = head[0] & 0x0F;
        if head[1] & 0x80 != 0 {
            return Err(protocol("the server masked a frame"));
        }
        let len = match head[1] & 0x7F {
            126 => {
                let mut b = [0u8; 2];
                self.io.read_exact(&mut b).await.map_err(io_err)?;
                u64::from(u16::from_be_bytes(b))
            }
            127 => {
                let mut b = [0u8; 8];
                self.io.read_exact(&mut b).await.map_err(io_err)?;
                u64::from_be_bytes(b)
            }
            n => u64::from(n),
        };
        let is_control = opcode & 0x8 != 0;
        if is_control && (len > 125 || !fin) {
            return Err(protocol(
                "a control frame is fragmented or longer than 125 bytes",
            ));
        }
        let len = usize::try_from(len)
            .ok()
            .filter(|n| *n <= MAX_WS_MESSAGE)
            .ok_or_else(|| Error::StreamLimit {
                method: http::Method::GET,
                url: String::new(),
                limit: format!("a WebSocket frame larger than {MAX_WS_MESSAGE} bytes"),
            })?;
        let mut payload = vec![0u8; len];
        self.io.read_exact(&mut payload).await.map_err(io_err)?;
        Ok(Some(Frame {
            fin,
            opcode,
            payload,
        }))
    }

    async fn send(&mut self, opcode: u8, payload: &[u8]) {
        // A failed answer (the peer gone) surfaces as the next read's error or end.
        let _ = self.io.write_all(&client_frame(opcode, payload)).await;
        let _ = self.io.flush().await;
    }

    /// The next data message, `None` once the server closed the connection.
    async fn next_message(&mut self) -> Result<Option<WsMessage>, Error> {
        loop {
            if self.closed {
                return Ok(None);
            }
            let Some(frame) = self.read_frame().await? else {
                // The connection ended without a close frame.
                self.closed = true;
                if self.partial.is_some() {
                    return Err(protocol("the connection ended inside a fragmented message"));
                }
                return Ok(None);
            };
            match frame.opcode {
                OP_PING => self.send(OP_PONG, &frame.payload).await,
                OP_PONG => {}
                OP_CLOSE => {
                    let code = frame.payload.get(..2).unwrap_or(&[]).to_vec();
                    self.send(OP_CLOSE, &code).await;
                    self.closed = true;
                    return Ok(None);
                }
                OP_TEXT | OP_BINARY => {
                    if self.partial.is_some() {
                        return Err(protocol("a new message started inside a fragmented one"));
                    }
                    if frame.fin {
                        return message(frame.opcode, frame.payload).map(Some);
                    }
                    self.partial = Some((frame.opcode, frame.payload));
                }
                OP_CONTINUATION => {
                    let Some((opcode, mut bytes)) = self.partial.take() else {
                        return Err(protocol("a continuation frame without a message"));
                    };
                    if bytes.len() + frame.payload.len() > MAX_WS_MESSAGE {
                        return Err(Error::StreamLimit {
                            method: http::Method::GET,
                            url: String::new(),
                            limit: format!(
                                "a WebSocket message larger than {MAX_WS_MESSAGE} bytes"
                            ),
                        });
                    }
                    bytes.extend_from_slice(&frame.payload);
                    if frame.fin {
                        return message(opcode, bytes).map(Some);
                    }
                    self.partial = Some((opcode, bytes));
                }
                other => return Err(protocol(format!("unknown opcode {other:#x}"))),
            }
        }
    }
}

fn message(opcode: u8, payload: Vec<u8>) -> Result<WsMessage, Error> {
    if opcode == OP_TEXT {
        String::from_utf8(payload)
            .map(WsMessage::Text)
            .map_err(|_| protocol("a text message is not UTF-8"))
    } else {
        Ok(WsMessage::Binary(Bytes::from(payload)))
    }
}

/// The messages of an upgraded connection, as a stream.
pub(crate) fn messages<S>(io: S) -> WsStream
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let reader = Reader {
        io,
        partial: None,
        closed: false,
    };
    Box::pin(futures_util::stream::unfold(
        Some(reader),
        |reader| async move {
            let mut reader = reader?;
            match reader.next_message().await {
                Ok(Some(m)) => Some((Ok(m), Some(reader))),
                Ok(None) => None,
                Err(e) => Some((Err(e), None)),
            }
        },
    ))
}

/// A server frame (unmasked), for tests of the frame reader.
#[cfg(test)]
fn server_frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = bytes::BytesMut::new();
    out.extend_from_slice(&[if fin { 0x80 } else { 0 } | opcode]);
    match payload.len() {
        n if n < 126 => out.extend_from_slice(&[n as u8]),
        n if n <= usize::from(u16::MAX) => {
            out.extend_from_slice(&[126]);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.extend_from_slice(&[127]);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(payload);
    out.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[test]
    fn the_accept_key_of_the_rfc_example() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
        assert_eq!(handshake_key().len(), 24);
    }

    #[tokio::test]
    async fn fragments_pings_and_close() {
        let (client, mut server) = tokio::io::duplex(1 << 20);
        let mut wire = Vec::new();
        wire.extend(server_frame(true, OP_TEXT, b"hello"));
        wire.extend(server_frame(false, OP_TEXT, b"frag"));
        wire.extend(server_frame(true, OP_PING, b"p"));
        wire.extend(server_frame(true, OP_CONTINUATION, b"mented"));
        wire.extend(server_frame(true, OP_BINARY, &[0, 1, 2]));
        wire.extend(server_frame(true, OP_TEXT, &vec![b'x'; 70_000]));
        wire.extend(server_frame(true, OP_CLOSE, &[0x03, 0xe8]));
        wire.extend(server_frame(true, OP_TEXT, b"after the close"));
        server.write_all(&wire).await.expect("write");
        let got: Vec<_> = messages(client).collect().await;
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(
            got[0].as_ref().expect("text"),
            &WsMessage::Text("hello".into())
        );
        assert_eq!(
            got[1].as_ref().expect("frag"),
            &WsMessage::Text("fragmented".into())
        );
        assert_eq!(
            got[2].as_ref().expect("binary"),
            &WsMessage::Binary(Bytes::from_static(&[0, 1, 2]))
        );
        // The client answered the ping with a masked pong and the close with a close.
        let mut answers = vec![0u8; 64];
        let n = server.read(&mut answers).await.expect("read");
        let answers = &answers[..n];
        assert_eq!(answers[0], 0x80 | OP_PONG);
        assert_eq!(answers[1], 0x80 | 1, "masked, one byte");
        assert_eq!(answers[2 + 4] ^ answers[2], b'p');
        assert_eq!(answers[7], 0x80 | OP_CLOSE);
    }

    #[tokio::test]
    async fn protocol_violations_are_typed() {
        for wire in [
            vec![0x81, 0x81, 1, 2, 3, 4, b'x'],         // masked by the server
            vec![0xC1, 0x01, b'x'],                     // reserved bit
            server_frame(true, OP_TEXT, &[0xff, 0xfe]), // not UTF-8
            server_frame(true, OP_CONTINUATION, b"x"),  // continuation of nothing
            server_frame(true, 0x3, b"x"),              // unknown opcode
        ] {
            let (client, mut server) = tokio::io::duplex(1024);
            server.write_all(&wire).await.expect("write");
            drop(server);
            let got: Vec<_> = messages(client).collect().await;
            assert!(
                matches!(got.last(), Some(Err(Error::Protocol { .. }))),
                "{wire:?}: {got:?}"
            );
        }
    }
}
