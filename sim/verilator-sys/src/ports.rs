//! Top-level ports: what they are, and how they are read from Verilator's generated header.

use crate::error::{Result, VerilatorError};

/// Direction of a top-level port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Input,
    Output,
    Inout,
}

impl Direction {
    pub(crate) fn code(self) -> u32 {
        match self {
            Direction::Input => 0,
            Direction::Output => 1,
            Direction::Inout => 2,
        }
    }

    pub(crate) fn from_code(code: u32) -> Option<Self> {
        [Direction::Input, Direction::Output, Direction::Inout]
            .get(code as usize)
            .copied()
    }

    pub(crate) fn can_drive(self) -> bool {
        self != Direction::Output
    }
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Direction::Input => "input",
            Direction::Output => "output",
            Direction::Inout => "inout",
        })
    }
}

/// How Verilator stores a port: `CData` (<= 8 bits), `SData` (<= 16), `IData` (<= 32),
/// `QData` (<= 64) or `VlWide<N>` (N 32-bit words, least significant first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    C8,
    S16,
    I32,
    Q64,
    Wide,
}

impl Storage {
    /// Code shared with the generated C++ shim (`enum Kind`).
    pub(crate) fn code(self) -> u32 {
        self as u32
    }
}

/// One top-level port of a Verilated model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    /// The Verilog name.
    pub name: String,
    pub direction: Direction,
    /// Width in bits. Bit `i` of a value is Verilog bit `lsb + i` of the port.
    pub width: u32,
}

impl Port {
    /// Number of u64 words a value of this port takes in the Rust API and batch buffers.
    pub fn words(&self) -> usize {
        words64(self.width)
    }
}

pub(crate) fn words64(width: u32) -> usize {
    (width as usize).div_ceil(64)
}

/// A port as declared in `V<top>.h`, with its C++ member name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HeaderPort {
    pub port: Port,
    pub cxx_name: String,
    pub storage: Storage,
}

/// Reads the port declarations (`VL_IN8(&clk,0,0);`, `VL_INW(&bus,199,0,7);`, ...) of a
/// Verilator 5 model header.
pub(crate) fn parse_header(top: &str, header: &str) -> Result<Vec<HeaderPort>> {
    let mut ports = Vec::new();
    for line in header.lines().map(str::trim) {
        let Some(open) = line.find('(') else { continue };
        let macro_name = &line[..open];
        let Some((direction, storage)) = port_macro(macro_name) else {
            continue;
        };
        let unsupported = || VerilatorError::UnsupportedPort {
            top: top.to_string(),
            line: line.to_string(),
        };
        let args = line[open + 1..]
            .strip_suffix(");")
            .ok_or_else(unsupported)?;
        let fields: Vec<&str> = args.split(',').map(str::trim).collect();
        let expected_fields = if storage == Storage::Wide { 4 } else { 3 };
        if fields.len() != expected_fields {
            return Err(unsupported());
        }
        let cxx_name = fields[0].strip_prefix('&').ok_or_else(unsupported)?;
        if cxx_name.is_empty()
            || !cxx_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(unsupported());
        }
        let msb: u32 = fields[1].parse().map_err(|_| unsupported())?;
        let lsb: u32 = fields[2].parse().map_err(|_| unsupported())?;
        if lsb > msb {
            return Err(unsupported());
        }
        let width = msb - lsb + 1;
        if storage != storage_for(width) {
            return Err(unsupported());
        }
        ports.push(HeaderPort {
            port: Port {
                name: demangle(cxx_name),
                direction,
                width,
            },
            cxx_name: cxx_name.to_string(),
            storage,
        });
    }
    Ok(ports)
}

fn port_macro(name: &str) -> Option<(Direction, Storage)> {
    let rest = name.strip_prefix("VL_")?;
    let (direction, size) = if let Some(s) = rest.strip_prefix("INOUT") {
        (Direction::Inout, s)
    } else if let Some(s) = rest.strip_prefix("IN") {
        (Direction::Input, s)
    } else if let Some(s) = rest.strip_prefix("OUT") {
        (Direction::Output, s)
    } else {
        return None;
    };
    let storage = match size {
        "8" => Storage::C8,
        "16" => Storage::S16,
        "" => Storage::I32,
        "64" => Storage::Q64,
        "W" => Storage::Wide,
        _ => return None,
    };
    Some((direction, storage))
}

/// The storage Verilator uses for a port of `width` bits.
pub(crate) fn storage_for(width: u32) -> Storage {
    match width {
        0..=8 => Storage::C8,
        9..=16 => Storage::S16,
        17..=32 => Storage::I32,
        33..=64 => Storage::Q64,
        _ => Storage::Wide,
    }
}

/// Undoes Verilator's name encoding: `__0HH` stands for the character with hex code HH
/// (`a___05Fb` is the Verilog name `a__b`, `__024` is `$`).
pub(crate) fn demangle(cxx: &str) -> String {
    let bytes = cxx.as_bytes();
    let mut out = String::with_capacity(cxx.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"__0") && i + 5 <= bytes.len() {
            if let Ok(code) = u8::from_str_radix(&cxx[i + 3..i + 5], 16) {
                out.push(code as char);
                i += 5;
                continue;
            }
        }
        out.push(bytes[i] as char);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "
class Vacc VL_NOT_FINAL : public VerilatedModel {
  public:
    VL_IN8(&clk,0,0);
    VL_OUT16(&s16,15,0);
    VL_IN(&word,31,0);
    VL_INW(&bus,199,0,7);
    VL_OUTW(&total,71,0,3);
    VL_IN64(&mid,40,0);
    VL_INOUT8(&pad,7,0);
    VL_IN8(&a___05Fb,8,1);
    Vacc___024root* const rootp;
";

    #[test]
    fn parses_every_storage_class() {
        let ports = parse_header("acc", HEADER).unwrap();
        let summary: Vec<(&str, Direction, u32, Storage)> = ports
            .iter()
            .map(|p| {
                (
                    p.port.name.as_str(),
                    p.port.direction,
                    p.port.width,
                    p.storage,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("clk", Direction::Input, 1, Storage::C8),
                ("s16", Direction::Output, 16, Storage::S16),
                ("word", Direction::Input, 32, Storage::I32),
                ("bus", Direction::Input, 200, Storage::Wide),
                ("total", Direction::Output, 72, Storage::Wide),
                ("mid", Direction::Input, 41, Storage::Q64),
                ("pad", Direction::Inout, 8, Storage::C8),
                ("a__b", Direction::Input, 8, Storage::C8),
            ]
        );
        assert_eq!(ports[7].cxx_name, "a___05Fb");
        assert_eq!(ports[3].port.words(), 4);
        assert_eq!(ports[4].port.words(), 2);
    }

    #[test]
    fn rejects_unpacked_array_ports() {
        let err = parse_header("t", "    VL_IN8((&arr)[4],7,0);").unwrap_err();
        assert!(err.to_string().contains("not supported"), "{err}");
    }

    #[test]
    fn demangles() {
        assert_eq!(demangle("plain_name"), "plain_name");
        assert_eq!(demangle("a___05Fb"), "a__b");
        assert_eq!(demangle("__024root"), "$root");
    }

    #[test]
    fn storage_boundaries() {
        let got: Vec<Storage> = [1, 8, 9, 16, 17, 32, 33, 64, 65].map(storage_for).to_vec();
        use Storage::*;
        assert_eq!(got, vec![C8, C8, S16, S16, I32, I32, Q64, Q64, Wide]);
    }
}
