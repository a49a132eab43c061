//! The hasher of maps looked up for every line (the pattern stage's, the parsers by source):
//! xxh3 with a random seed per map. The default hasher (SipHash) cost more than a tenth of the
//! pattern stage's time; an unseeded fast one would let crafted log lines pile their keys into one
//! bucket, so the seed stays secret to the process.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

/// A map with [`Seeded`] hashing.
pub type Map<K, V> = HashMap<K, V, Seeded>;

/// Builds [`SeededHasher`]s from a seed drawn when the map is made.
#[derive(Debug, Clone)]
pub struct Seeded(u64);

impl Default for Seeded {
    fn default() -> Seeded {
        // The standard library's random keys, drawn from the OS once per thread and changed for
        // every `RandomState`.
        Seeded(RandomState::new().hash_one(0x9e37_79b9_7f4a_7c15_u64))
    }
}

impl BuildHasher for Seeded {
    type Hasher = SeededHasher;

    fn build_hasher(&self) -> SeededHasher {
        SeededHasher(self.0)
    }
}

/// Each write hashes its bytes with xxh3, seeded by everything written before.
#[derive(Debug)]
pub struct SeededHasher(u64);

impl Hasher for SeededHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = xxhash_rust::xxh3::xxh3_64_with_seed(bytes, self.0);
    }

    fn write_u64(&mut self, n: u64) {
        self.write(&n.to_le_bytes());
    }

    fn write_u8(&mut self, n: u8) {
        // `str`'s terminator: the xxh3 of the text before it already ends the key.
        self.0 = self.0.rotate_left(5) ^ u64::from(n);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_hash_alike_and_maps_differ_in_seed() {
        let (a, b) = (Seeded::default(), Seeded::default());
        assert_eq!(a.hash_one("pattern"), a.hash_one(String::from("pattern")));
        assert_ne!(a.hash_one("pattern"), a.hash_one("patterns"));
        assert_ne!(a.hash_one(7u64), a.hash_one(8u64));
        assert_ne!(a.hash_one(7u64), b.hash_one(7u64));
        let mut map: Map<u64, u32> = Map::default();
        for i in 0..10_000 {
            map.insert(i * 4096, i as u32);
        }
        assert!((0..10_000).all(|i| map[&(i * 4096)] == i as u32));
    }
}
