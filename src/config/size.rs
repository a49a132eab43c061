//! Byte sizes as people write them: `10MB`, `1GiB`, `512K`. The units follow GNU coreutils
//! (`head -c`, `sort -S`): `KB`, `MB` … are powers of 1000, `K`, `KiB`, `M`, `MiB` … powers of 1024,
//! so the same text means the same size here as there.

/// Parse a size: a whole number with an optional unit (`B`, `KB`/`MB`/`GB`/`TB`, `K`/`M`/`G`/`T`,
/// `KiB`/`MiB`/`GiB`/`TiB`, any case). Zero is refused: no input fits in no bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let invalid = || format!("invalid size '{text}' (examples: 500000, 10MB, 1GiB)");
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().map_err(|_| invalid())?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "mb" => 1000_u64.pow(2),
        "gb" => 1000_u64.pow(3),
        "tb" => 1000_u64.pow(4),
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "t" | "tib" => 1 << 40,
        _ => return Err(invalid()),
    };
    let size = number
        .checked_mul(multiplier)
        .ok_or_else(|| format!("invalid size '{text}': too large"))?;
    if size == 0 {
        return Err(format!("invalid size '{text}': must be at least 1 byte"));
    }
    Ok(size)
}

/// `bytes` in the largest unit that writes it exactly (`1GiB`, `10MB`, `1500B`), so that a message
/// shows a budget the way it can be given back to [`parse_size`].
pub fn format_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 8] = [
        (1 << 40, "TiB"),
        (1_000_000_000_000, "TB"),
        (1 << 30, "GiB"),
        (1_000_000_000, "GB"),
        (1 << 20, "MiB"),
        (1_000_000, "MB"),
        (1 << 10, "KiB"),
        (1000, "KB"),
    ];
    UNITS
        .iter()
        .find(|(unit, _)| bytes >= *unit && bytes.is_multiple_of(*unit))
        .map(|(unit, name)| format!("{}{name}", bytes / unit))
        .unwrap_or_else(|| format!("{bytes}B"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_and_binary_units() {
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("512k"), Ok(512 * 1024));
        assert_eq!(parse_size("2 kb"), Ok(2000));
        assert_eq!(parse_size("1500"), Ok(1500));
        assert!(parse_size("0").unwrap_err().contains("at least 1 byte"));
        assert!(parse_size("10XB")
            .unwrap_err()
            .contains("invalid size '10XB'"));
        assert!(parse_size("MB").is_err());
        assert!(parse_size("99999999999TiB")
            .unwrap_err()
            .contains("too large"));
    }

    #[test]
    fn formats_round_trip() {
        for size in [1 << 30, 10_000_000, 1500, 1, 64 << 20, 3 * 1024] {
            assert_eq!(parse_size(&format_size(size)), Ok(size), "{size}");
        }
        assert_eq!(format_size(1 << 30), "1GiB");
        assert_eq!(format_size(10_000_000), "10MB");
        assert_eq!(format_size(1500), "1500B");
    }
}
