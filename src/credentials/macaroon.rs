//! The binary serialisation of macaroons, as pymacaroons writes them (what an API token of `pypi.org` is after
//! `pypi-`).
//!
//! Glossary: a *macaroon* is a bearer credential: a location (the service, `pypi.org`), an identifier (the
//! service's key id), *caveats* (restrictions; first-party ones are plain predicates, here JSON), and an HMAC
//! signature chained over all of them. Only the service can check the signature; anyone can read the caveats.
//!
//! Two formats (<https://github.com/ecordell/pymacaroons/blob/master/pymacaroons/serializers/binary_serializer.py>):
//! - v2 (warehouse's): a version byte `2`, then fields `[type varint][length varint][data]` with types
//!   1 location, 2 identifier, 4 verification id, 6 signature; `0` ends the header, each caveat and the caveat
//!   list. Encoded as URL-safe base64 without padding.
//! - v1 (older tokens): lines `HHHHkey value\n`, `HHHH` the line's length in hex, keys `location`,
//!   `identifier`, `cid`, `vid`, `cl`, `signature`; URL-safe base64.
//!
//! Nothing here keeps or returns the identifier or the signature: they are half of the secret.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// A token longer than this is not an index's token (real ones are a few hundred bytes).
const MAX_TOKEN: usize = 64 * 1024;
/// More caveats than this is not a token warehouse made.
const MAX_CAVEATS: usize = 64;

/// Base64 as Python's `urlsafe_b64decode` (pymacaroons, warehouse) reads it: padding optional, the unused bits
/// of a last partial character ignored.
const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const URL_SAFE_PAD_INDIFFERENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);
const STANDARD_PAD_INDIFFERENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);

/// What a macaroon says, without its secret parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Macaroon {
    pub location: Option<String>,
    pub caveats: Vec<Caveat>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caveat {
    /// The predicate (first-party) or the third party's id.
    pub id: Vec<u8>,
    /// A third-party caveat (it carries a verification id): another service must discharge it.
    pub third_party: bool,
}

/// Why bytes are not a macaroon. The messages never contain any part of the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("it is not base64")]
    Base64,
    #[error("it is longer than any token ({MAX_TOKEN} bytes)")]
    TooLong,
    #[error("its macaroon is cut short")]
    Truncated,
    #[error("its macaroon is malformed: {0}")]
    Malformed(&'static str),
}

/// Decode the base64 text of a serialized macaroon (v1 or v2).
pub fn decode(text: &str) -> Result<Macaroon, DecodeError> {
    if text.len() > MAX_TOKEN {
        return Err(DecodeError::TooLong);
    }
    let text = text.trim();
    let bytes = URL_SAFE_PAD_INDIFFERENT
        .decode(text)
        .or_else(|_| STANDARD_PAD_INDIFFERENT.decode(text))
        .map_err(|_| DecodeError::Base64)?;
    match bytes.first() {
        Some(2) => decode_v2(&bytes[1..]),
        Some(b'0'..=b'9' | b'a'..=b'f') => decode_v1(&bytes),
        Some(_) => Err(DecodeError::Malformed("unknown serialisation version")),
        None => Err(DecodeError::Truncated),
    }
}

const EOS: u64 = 0;
const LOCATION: u64 = 1;
const IDENTIFIER: u64 = 2;
const VID: u64 = 4;
const SIGNATURE: u64 = 6;

fn decode_v2(mut data: &[u8]) -> Result<Macaroon, DecodeError> {
    let mut location = None;
    let (mut kind, mut value) = field(&mut data)?;
    if kind == LOCATION {
        location = Some(text(value)?);
        (kind, value) = field(&mut data)?;
    }
    if kind != IDENTIFIER || value.is_empty() {
        return Err(DecodeError::Malformed("no identifier"));
    }
    if field(&mut data)?.0 != EOS {
        return Err(DecodeError::Malformed("unexpected field in the header"));
    }
    let mut caveats = Vec::new();
    loop {
        let (mut kind, mut value) = field(&mut data)?;
        if kind == EOS {
            break;
        }
        if caveats.len() == MAX_CAVEATS {
            return Err(DecodeError::Malformed("too many caveats"));
        }
        if kind == LOCATION {
            (kind, value) = field(&mut data)?;
        }
        if kind != IDENTIFIER {
            return Err(DecodeError::Malformed("a caveat without an identifier"));
        }
        let id = value.to_vec();
        let mut third_party = false;
        loop {
            match field(&mut data)? {
                (EOS, _) => break,
                (VID, _) => third_party = true,
                _ => return Err(DecodeError::Malformed("unexpected field in a caveat")),
            }
        }
        caveats.push(Caveat { id, third_party });
    }
    match field(&mut data)? {
        (SIGNATURE, signature) if signature.len() == 32 => {}
        _ => return Err(DecodeError::Malformed("no 32-byte signature")),
    }
    if !data.is_empty() {
        return Err(DecodeError::Malformed("bytes after the signature"));
    }
    Ok(Macaroon { location, caveats })
}

/// One v2 field: `EOS` (no data), or a type, a length and that many bytes.
fn field<'a>(data: &mut &'a [u8]) -> Result<(u64, &'a [u8]), DecodeError> {
    let kind = varint(data)?;
    if kind == EOS {
        return Ok((EOS, &[]));
    }
    let length = usize::try_from(varint(data)?).map_err(|_| DecodeError::Truncated)?;
    if data.len() < length {
        return Err(DecodeError::Truncated);
    }
    let (value, rest) = data.split_at(length);
    *data = rest;
    Ok((kind, value))
}

/// An unsigned LEB128 integer of at most 9 bytes (63 bits).
fn varint(data: &mut &[u8]) -> Result<u64, DecodeError> {
    let mut value = 0u64;
    for shift in (0..63).step_by(7) {
        let (&byte, rest) = data.split_first().ok_or(DecodeError::Truncated)?;
        *data = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(DecodeError::Malformed("a length beyond any token"))
}

fn decode_v1(mut data: &[u8]) -> Result<Macaroon, DecodeError> {
    let mut location = None;
    let mut identifier = false;
    let mut signature = false;
    let mut caveats: Vec<Caveat> = Vec::new();
    while !data.is_empty() {
        let size = data
            .get(..4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| usize::from_str_radix(h, 16).ok())
            .ok_or(DecodeError::Malformed(
                "a packet without its hexadecimal length",
            ))?;
        if size < 6 || data.len() < size {
            return Err(DecodeError::Truncated);
        }
        let packet = &data[4..size];
        data = &data[size..];
        let packet = packet
            .strip_suffix(b"\n")
            .ok_or(DecodeError::Malformed("a packet without its newline"))?;
        let space = packet
            .iter()
            .position(|&b| b == b' ')
            .ok_or(DecodeError::Malformed("a packet without a key"))?;
        let (key, value) = (&packet[..space], &packet[space + 1..]);
        match key {
            b"location" => location = Some(text(value)?),
            b"identifier" => identifier = true,
            b"cid" => {
                if caveats.len() == MAX_CAVEATS {
                    return Err(DecodeError::Malformed("too many caveats"));
                }
                caveats.push(Caveat {
                    id: value.to_vec(),
                    third_party: false,
                });
            }
            b"vid" => match caveats.last_mut() {
                Some(caveat) => caveat.third_party = true,
                None => return Err(DecodeError::Malformed("a verification id without a caveat")),
            },
            b"cl" => {}
            b"signature" => signature = value.len() == 32,
            _ => return Err(DecodeError::Malformed("an unknown packet")),
        }
    }
    if !identifier {
        return Err(DecodeError::Malformed("no identifier"));
    }
    if !signature {
        return Err(DecodeError::Malformed("no 32-byte signature"));
    }
    Ok(Macaroon { location, caveats })
}

fn text(bytes: &[u8]) -> Result<String, DecodeError> {
    String::from_utf8(bytes.to_vec())
        .map_err(|_| DecodeError::Malformed("a location that is not text"))
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// Tokens serialized by pymacaroons 0.13.0 itself (made-up identifiers and keys): a v2 token like
    /// warehouse's with project name, project id and expiry caveats, and a v1 token with legacy caveats.
    pub const PYMACAROONS_V2: &str = "AgEIcHlwaS5vcmcCJDVmMGU0YTBjLTFiMmMtNGQ1ZS04ZjkwLTEyMzQ1Njc4OWFiYwACDVsxLFsibXlwa2ciXV0AAixbMixbIjBiNmExZDJlLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwYWJjZCJdXQACGVswLDQxMDI0NDQ4MDAsMTcwMDAwMDAwMF0AAAYgmbeiGq785jXBdYsqLq4Ahx8ciB7APr38PWoxNNlpGG8";
    pub const PYMACAROONS_V1: &str = "MDAxYmxvY2F0aW9uIHRlc3QucHlwaS5vcmcKMDAxOWlkZW50aWZpZXIgbGVnYWN5LWlkCjAwMmVjaWQgeyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQowMDJmY2lkIHsibmJmIjogMTcwMDAwMDAwMCwgImV4cCI6IDE4MDAwMDAwMDB9CjAwMmZzaWduYXR1cmUgWhrbIO-N6yx6tYrUHZk8_IOJof0UXIYWhKcuwy9AKtoK";

    /// A v2 macaroon as pymacaroons serializes it (the signature made up: only the index can check it).
    pub fn encode_v2(
        location: &str,
        identifier: &str,
        caveats: &[&str],
        signature: [u8; 32],
    ) -> String {
        fn put(out: &mut Vec<u8>, kind: u8, data: &[u8]) {
            out.push(kind);
            let mut n = data.len();
            while n >= 0x80 {
                out.push(u8::try_from(n & 0x7f).unwrap() | 0x80);
                n >>= 7;
            }
            out.push(u8::try_from(n).unwrap());
            out.extend_from_slice(data);
        }
        let mut out = vec![2];
        put(&mut out, 1, location.as_bytes());
        put(&mut out, 2, identifier.as_bytes());
        out.push(0);
        for caveat in caveats {
            put(&mut out, 2, caveat.as_bytes());
            out.push(0);
        }
        out.push(0);
        put(&mut out, 6, &signature);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
    }

    fn first_party(ids: &[&str]) -> Vec<Caveat> {
        ids.iter()
            .map(|id| Caveat {
                id: id.as_bytes().to_vec(),
                third_party: false,
            })
            .collect()
    }

    #[test]
    fn reads_what_pymacaroons_writes() {
        assert_eq!(
            decode(PYMACAROONS_V2),
            Ok(Macaroon {
                location: Some("pypi.org".into()),
                caveats: first_party(&[
                    r#"[1,["mypkg"]]"#,
                    r#"[2,["0b6a1d2e-0000-4000-8000-00000000abcd"]]"#,
                    "[0,4102444800,1700000000]",
                ]),
            })
        );
        assert_eq!(
            decode(PYMACAROONS_V1),
            Ok(Macaroon {
                location: Some("test.pypi.org".into()),
                caveats: first_party(&[
                    r#"{"version": 1, "permissions": "user"}"#,
                    r#"{"nbf": 1700000000, "exp": 1800000000}"#,
                ]),
            })
        );
    }

    #[test]
    fn the_test_encoder_writes_what_pymacaroons_writes() {
        let bytes = URL_SAFE_PAD_INDIFFERENT.decode(PYMACAROONS_V2).unwrap();
        let signature: [u8; 32] = bytes[bytes.len() - 32..].try_into().unwrap();
        let encoded = encode_v2(
            "pypi.org",
            "5f0e4a0c-1b2c-4d5e-8f90-123456789abc",
            &[
                r#"[1,["mypkg"]]"#,
                r#"[2,["0b6a1d2e-0000-4000-8000-00000000abcd"]]"#,
                "[0,4102444800,1700000000]",
            ],
            signature,
        );
        assert_eq!(encoded, PYMACAROONS_V2);
    }

    #[test]
    fn malformed_tokens_are_named_without_their_content() {
        let valid = URL_SAFE_PAD_INDIFFERENT.decode(PYMACAROONS_V2).unwrap();
        let cut =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&valid[..valid.len() - 5]);
        assert_eq!(decode(&cut), Err(DecodeError::Truncated));
        assert_eq!(decode("not base64 at all!"), Err(DecodeError::Base64));
        assert_eq!(
            decode("AwEIcHlwaS5vcmc"),
            Err(DecodeError::Malformed("unknown serialisation version"))
        );
        assert_eq!(decode(""), Err(DecodeError::Truncated));
        let endless = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([
            2u8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ]);
        assert_eq!(
            decode(&endless),
            Err(DecodeError::Malformed("a length beyond any token"))
        );
    }
}
