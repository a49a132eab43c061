//! Online template mining: one pass, bounded memory, deterministic.
//!
//! A message arrives as tokens (see [`super::mask`]); its *shape* is its token count, the text
//! between its tokens (whitespace runs count as one space) and its first word (digits aside), as
//! the first level of Drain's tree. Only messages of one shape can share a cluster, so clusters
//! are bucketed by shape. Within a bucket a message joins the cluster whose template it matches
//! (`<*>` matches anything, a constant only itself), else the most similar cluster is generalised
//! (the positions where they differ become `<*>`), else it starts a cluster.
//!
//! Generalising is where parsers go wrong, so it is guarded: the two must agree on at least half
//! of their constant positions, and every position that would become a variable must look like
//! one (a masked token, a value after `=`, two names numbered alike such as `IRQ0` and `IRQ9` but
//! not two names sharing a number such as `ee0` and `alt0`, a boolean, the unit after a value) or
//! have been seen with enough other values in sibling clusters of the bucket: three
//! lowercase words (`cyrus`, `news`, `test`), five capitalised ones, since `VM Started`, `VM Paused`
//! … are more often events than values. When a cluster generalises it absorbs every sibling its
//! new template matches, so templates that differ only in variable positions end up as one.
//!
//! Above clusters sit *families*: clusters whose templates agree word for word once each word
//! holding a variable is one `<*>` (bracketed asides such as `(1.16 KB)` and units after a value
//! are left out). A
//! family of two or more answers with its word-level template, so that an odd-shaped value
//! (`LOCAL(0)` among IP addresses) does not split an event.
//!
//! Invariants: a template never becomes more specific; an id is the xxh3 hash of the template
//! text, so the same template gets the same id on every run and host; at most `max` clusters are
//! alive, the least recently used being evicted in batches; the exact-message cache is bounded
//! too; a message is compared with at most `SCAN` clusters per scan of its bucket.

use std::sync::Arc;

use super::mask::{is_unit, Token};
use crate::hash::Map;

/// The miner's answer for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mined {
    /// Shared with the cluster (or family) it names: answering a line copies no text.
    pub id: Arc<str>,
    pub template: Arc<str>,
    pub params: Vec<String>,
    /// The cluster the message landed in: stable for the life of the cluster while its template
    /// generalises (unlike `id`), so counts over time can follow it.
    pub cluster: u64,
    /// Clusters this message's cluster absorbed while learning from it: their counts are its now.
    pub absorbed: Vec<u64>,
}

/// The placeholder for a variable in templates.
pub const WILDCARD: &str = "<*>";

/// Agreement on constant positions needed to generalise a cluster to a message.
const MIN_SIMILARITY: f64 = 0.5;

/// Clusters of a bucket looked at per message, newest first: real logs rarely have more of one
/// shape and first word, and free text of one shape must not make each message cost the whole cap.
const SCAN: usize = 256;

/// Distinct plain words seen at a position before it is taken for a variable: fewer are more often
/// a handful of event kinds (`VM Started`, `VM Paused`, `VM Resumed`) than one event's values.
const MIN_WORDS: usize = 4;

#[derive(Debug)]
struct Cluster {
    shape: u64,
    /// `tokens + 1` gaps, whitespace-normalised; the first and last trimmed.
    gaps: Vec<Box<str>>,
    /// One per token: `None` is a variable.
    slots: Vec<Option<Box<str>>>,
    template: Arc<str>,
    id: Arc<str>,
    /// The word-level form of the template (see [`Family`]).
    family: Family,
    count: u64,
    last_used: u64,
}

/// Clusters whose templates agree word for word, once every word holding a variable is taken as
/// one variable, are one family: `synchronized to 10.0.0.1, stratum 3` and `synchronized to
/// LOCAL(0), stratum 10` have different token shapes but are one event. A family of two or more
/// clusters answers with its word-level template, so a rare odd-shaped value does not split an
/// event; a lone cluster keeps its finer template.
#[derive(Debug, Clone)]
struct Family {
    key: u64,
    template: Arc<str>,
    id: Arc<str>,
    words: Vec<FamilyWord>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FamilyWord {
    Constant,
    /// A word holding a variable: the bytes kept before and after its `<*>`.
    Variable(usize, usize),
    /// Left out of the family form.
    Aside,
}

/// A summary of a live cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterInfo {
    pub id: String,
    pub template: String,
    pub count: u64,
}

/// Groups tokenised messages into templates.
#[derive(Debug)]
pub struct Miner {
    max: usize,
    clusters: Vec<Option<Cluster>>,
    /// Per slot of `clusters`, bumped when it is freed, so that stale cache entries are detected.
    generations: Vec<u32>,
    free: Vec<u32>,
    live: usize,
    buckets: Map<u64, Vec<u32>>,
    /// Exact masked message → cluster (index, generation): most lines repeat a masked form.
    cache: Map<u64, (u32, u32)>,
    cache_cap: usize,
    /// Family key → live clusters in it.
    families: Map<u64, usize>,
    tick: u64,
    evicted: u64,
    /// Keys of the clusters absorbed by the current `add`, handed out with its answer.
    absorbed: Vec<u64>,
}

impl Miner {
    /// A miner keeping at most `max` (≥ 1) clusters.
    pub fn new(max: usize) -> Miner {
        let max = max.max(1);
        Miner {
            max,
            clusters: Vec::new(),
            generations: Vec::new(),
            free: Vec::new(),
            live: 0,
            buckets: Map::default(),
            cache: Map::default(),
            cache_cap: (max * 4).max(1 << 16),
            families: Map::default(),
            tick: 0,
            evicted: 0,
            absorbed: Vec::new(),
        }
    }

    /// Live clusters.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Clusters evicted so far to stay under the cap.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Live clusters, largest first (ties by template, for a stable order).
    pub fn clusters(&self) -> Vec<ClusterInfo> {
        let mut all: Vec<ClusterInfo> = self
            .clusters
            .iter()
            .flatten()
            .map(|c| ClusterInfo {
                id: c.id.to_string(),
                template: c.template.to_string(),
                count: c.count,
            })
            .collect();
        all.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.template.cmp(&b.template))
        });
        all
    }

    /// Learn from `message` (tokenised as `tokens`) and return its template.
    pub fn add(&mut self, message: &str, tokens: &[Token]) -> Mined {
        self.add_answering(message, tokens, true)
    }

    /// [`Miner::add`] with `params` left empty: a caller that reads only the template and its id
    /// spares a string per variable.
    pub fn add_unparametrised(&mut self, message: &str, tokens: &[Token]) -> Mined {
        self.add_answering(message, tokens, false)
    }

    fn add_answering(&mut self, message: &str, tokens: &[Token], params: bool) -> Mined {
        self.tick += 1;
        let (shape, key) = keys(message, tokens);
        let index = match self.find(message, tokens, shape, key) {
            Some(index) => index,
            None => self.learn(message, tokens, shape),
        };
        self.remember(key, index);
        self.touch(index, 1);
        let mut mined = self.answer(index, message, tokens, params);
        mined.absorbed = std::mem::take(&mut self.absorbed);
        if self.live > self.max {
            self.evict();
        }
        mined
    }

    /// Match `message` against the clusters as they are now, without learning from it unless no
    /// cluster matches (it was evicted, or never seen). Used to give every line its final template.
    pub fn lookup(&mut self, message: &str, tokens: &[Token]) -> Mined {
        self.tick += 1;
        let (shape, key) = keys(message, tokens);
        match self.find(message, tokens, shape, key) {
            Some(index) => {
                self.remember(key, index);
                self.touch(index, 0);
                self.answer(index, message, tokens, true)
            }
            None => {
                self.tick -= 1;
                self.add(message, tokens)
            }
        }
    }

    /// The template `message` would get now, without learning or touching anything; `None` when
    /// no cluster matches it.
    pub fn peek(&self, message: &str, tokens: &[Token]) -> Option<Mined> {
        let (shape, key) = keys(message, tokens);
        let index = self.find(message, tokens, shape, key)?;
        Some(self.answer(index, message, tokens, true))
    }

    /// The cluster whose template `message` matches, the most specific if several do.
    fn find(&self, message: &str, tokens: &[Token], shape: u64, key: u64) -> Option<u32> {
        if let Some(&(index, generation)) = self.cache.get(&key) {
            if let Some(c) = &self.clusters[index as usize] {
                if self.generations[index as usize] == generation
                    && c.shape == shape
                    && matches(c, message, tokens)
                {
                    return Some(index);
                }
            }
        }
        let bucket = self.buckets.get(&shape)?;
        let mut best: Option<(usize, u32)> = None;
        for &index in bucket.iter().rev().take(SCAN) {
            let c = self.cluster(index);
            if matches(c, message, tokens) {
                let constants = c.slots.iter().filter(|s| s.is_some()).count();
                if best.is_none_or(|(n, _)| constants > n) {
                    best = Some((constants, index));
                }
            }
        }
        best.map(|(_, index)| index)
    }

    /// No cluster matches `message`: generalise the most similar one, or start a new one.
    fn learn(&mut self, message: &str, tokens: &[Token], shape: u64) -> u32 {
        if let Some(index) = self.generalise(message, tokens, shape) {
            return index;
        }
        let gaps = gaps(message, tokens);
        let slots: Vec<Option<Box<str>>> = tokens
            .iter()
            .map(|t| (!t.var).then(|| t.text(message).into()))
            .collect();
        let template = render(&gaps, &slots);
        let family = family(&gaps, &slots);
        *self.families.entry(family.key).or_default() += 1;
        let cluster = Cluster {
            shape,
            family,
            id: template_id(&template).into(),
            gaps,
            slots,
            template: template.into(),
            count: 0,
            last_used: self.tick,
        };
        let index = match self.free.pop() {
            Some(index) => {
                self.clusters[index as usize] = Some(cluster);
                index
            }
            None => {
                self.clusters.push(Some(cluster));
                self.generations.push(0);
                (self.clusters.len() - 1) as u32
            }
        };
        self.live += 1;
        self.buckets.entry(shape).or_default().push(index);
        index
    }

    fn generalise(&mut self, message: &str, tokens: &[Token], shape: u64) -> Option<u32> {
        let bucket = self.buckets.get(&shape)?;
        let mut best: Option<(f64, u32)> = None;
        for &index in bucket.iter().rev().take(SCAN) {
            let c = self.cluster(index);
            let (mut same, mut differ) = (0usize, 0usize);
            for (slot, t) in c.slots.iter().zip(tokens) {
                match slot {
                    None => {}
                    Some(s) if !t.var && **s == *t.text(message) => same += 1,
                    Some(_) => differ += 1,
                }
            }
            let similarity = same as f64 / (same + differ).max(1) as f64;
            if similarity >= MIN_SIMILARITY && best.is_none_or(|(b, _)| similarity > b) {
                best = Some((similarity, index));
            }
        }
        let (_, index) = best?;
        let c = self.cluster(index);
        let differ: Vec<usize> = c
            .slots
            .iter()
            .zip(tokens)
            .enumerate()
            .filter(|(_, (slot, t))| {
                slot.as_deref()
                    .is_some_and(|s| t.var || s != t.text(message))
            })
            .map(|(i, _)| i)
            .collect();
        let plausible = differ.iter().all(|&i| {
            // The value of a `key=value` or `key="value"`.
            let before = c.gaps[i].trim_end_matches(['"', '\'']).as_bytes();
            let (old, new) = (c.slots[i].as_deref().unwrap_or(""), tokens[i].text(message));
            // A unit after a value varies with it: `93.0 B` and `5.2 KB` are one size.
            let unit = i > 0
                && (c.slots[i - 1].is_none() || tokens[i - 1].var)
                && &*c.gaps[i] == " "
                && is_unit(old)
                && is_unit(new);
            before.last() == Some(&b'=')
                || unit
                || tokens[i].var
                || (has_digit(old) && has_digit(new) && !same_number(old, new))
                || is_boolean(old)
                || is_boolean(new)
        });
        // The first word names the event more often than not (`cupsd startup succeeded`).
        // Capitalised words (`Started`, `GET`) are vocabulary more often than lowercase ones
        // (`cyrus`, `news`): they need more distinct values to be taken for a variable.
        let capitalised = differ.iter().any(|&i| {
            let (old, new) = (c.slots[i].as_deref().unwrap_or(""), tokens[i].text(message));
            starts_upper(old) || starts_upper(new)
        });
        let needed = if capitalised {
            MIN_WORDS + 1
        } else {
            MIN_WORDS - 1
        };
        // `ee0` and `alt0`, `en0` and `awdl0`: different names carrying the same number name
        // different things (devices, interfaces), however many of them there are.
        let names = differ.iter().any(|&i| {
            let (old, new) = (c.slots[i].as_deref().unwrap_or(""), tokens[i].text(message));
            !tokens[i].var && same_number(old, new)
        });
        let recurring = !differ.contains(&0)
            && !names
            && self.other_values(index, &differ, message, tokens) + 2 >= needed;
        if !plausible && !recurring {
            return None;
        }
        let c = self.clusters[index as usize]
            .as_mut()
            .expect("live cluster");
        for &i in &differ {
            c.slots[i] = None;
        }
        c.template = render(&c.gaps, &c.slots).into();
        c.id = template_id(&c.template).into();
        let old = std::mem::replace(&mut c.family, family(&c.gaps, &c.slots));
        let new = c.family.key;
        self.leave(old.key);
        *self.families.entry(new).or_default() += 1;
        self.absorb(index);
        Some(index)
    }

    /// How many clusters, besides `index`, agree with `message` everywhere but at `differ`, where
    /// they have other values (or already a variable)?
    fn other_values(&self, index: u32, differ: &[usize], message: &str, tokens: &[Token]) -> usize {
        let first = self.cluster(index);
        let bucket = &self.buckets[&first.shape];
        bucket
            .iter()
            .rev()
            .take(SCAN)
            .filter(|&&other| {
                if other == index {
                    return false;
                }
                let c = self.cluster(other);
                c.slots
                    .iter()
                    .zip(tokens)
                    .enumerate()
                    .all(|(i, (slot, t))| {
                        let text = t.text(message);
                        match slot {
                            None => true,
                            Some(s) if differ.contains(&i) => {
                                (t.var || **s != *text) && first.slots[i].as_deref() != Some(&**s)
                            }
                            Some(s) => !t.var && **s == *text,
                        }
                    })
            })
            .count()
    }

    /// Fold into `index` every other cluster of its bucket that its template now matches.
    fn absorb(&mut self, index: u32) {
        let shape = self.cluster(index).shape;
        let bucket = self.buckets.get(&shape).cloned().unwrap_or_default();
        let mut gone = Vec::new();
        let mut count = 0;
        let mut last_used = 0;
        for other in bucket.into_iter().rev().take(SCAN) {
            if other == index {
                continue;
            }
            let (general, c) = (self.cluster(index), self.cluster(other));
            let covered = general
                .slots
                .iter()
                .zip(&c.slots)
                .all(|(g, s)| g.is_none() || g == s);
            if covered {
                count += c.count;
                last_used = last_used.max(c.last_used);
                gone.push(other);
            }
        }
        for other in &gone {
            self.absorbed.push(self.key_of(*other));
            self.remove(*other);
        }
        let c = self.clusters[index as usize]
            .as_mut()
            .expect("live cluster");
        c.count += count;
        c.last_used = c.last_used.max(last_used);
    }

    /// A key for the cluster in slot `index` that no later occupant of the slot shares.
    fn key_of(&self, index: u32) -> u64 {
        (u64::from(index) | (u64::from(self.generations[index as usize]) << 32)) & !(1 << 63)
    }

    fn remove(&mut self, index: u32) {
        let shape = self.cluster(index).shape;
        if let Some(bucket) = self.buckets.get_mut(&shape) {
            bucket.retain(|&i| i != index);
            if bucket.is_empty() {
                self.buckets.remove(&shape);
            }
        }
        if let Some(c) = self.clusters[index as usize].take() {
            self.leave(c.family.key);
        }
        self.generations[index as usize] = self.generations[index as usize].wrapping_add(1);
        self.live -= 1;
        self.free.push(index);
    }

    /// Drop the least recently used sixteenth of the clusters.
    fn evict(&mut self) {
        let mut ages: Vec<(u64, u32)> = self
            .clusters
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.as_ref().map(|c| (c.last_used, i as u32)))
            .collect();
        ages.sort_unstable();
        let excess = self.live - self.max;
        let n = (self.max / 16).max(excess).min(ages.len());
        for &(_, index) in &ages[..n] {
            self.remove(index);
            self.evicted += 1;
        }
    }

    fn leave(&mut self, family: u64) {
        if let Some(n) = self.families.get_mut(&family) {
            *n -= 1;
            if *n == 0 {
                self.families.remove(&family);
            }
        }
    }

    /// The answer for `message`, which cluster `index` matches.
    /// The cluster's (or its family's) template for `message`, and its variables' values when
    /// `params`.
    fn answer(&self, index: u32, message: &str, tokens: &[Token], params: bool) -> Mined {
        let c = self.cluster(index);
        let f = &c.family;
        let cluster = self.key_of(index);
        if self.families.get(&f.key).copied().unwrap_or(0) < 2 {
            return Mined {
                cluster,
                absorbed: Vec::new(),
                id: c.id.clone(),
                template: c.template.clone(),
                params: if params {
                    c.slots
                        .iter()
                        .zip(tokens)
                        .filter(|(slot, _)| slot.is_none())
                        .map(|(_, t)| t.text(message).to_owned())
                        .collect()
                } else {
                    Vec::new()
                },
            };
        }
        let mut values = Vec::new();
        if params {
            let spans = word_spans(message, tokens);
            for (kept, (s, e)) in f.words.iter().zip(spans) {
                if let FamilyWord::Variable(before, after) = kept {
                    let (s, e) = (s + before, e.saturating_sub(*after).max(s + before));
                    values.push(message.get(s..e).unwrap_or_default().to_owned());
                }
            }
        }
        Mined {
            params: values,
            id: f.id.clone(),
            template: f.template.clone(),
            cluster,
            absorbed: Vec::new(),
        }
    }

    fn remember(&mut self, key: u64, index: u32) {
        if self.cache.len() >= self.cache_cap {
            self.cache.clear();
        }
        let generation = self.generations[index as usize];
        self.cache.insert(key, (index, generation));
    }

    fn touch(&mut self, index: u32, count: u64) -> &Cluster {
        let tick = self.tick;
        let c = self.clusters[index as usize]
            .as_mut()
            .expect("live cluster");
        c.count += count;
        c.last_used = tick;
        c
    }

    fn cluster(&self, index: u32) -> &Cluster {
        self.clusters[index as usize]
            .as_ref()
            .expect("live cluster")
    }
}

/// `Thunderbird_A5` and `Thunderbird_C4`, `IRQ0` and `IRQ9`: two names with a digit each are more
/// often one name numbered than two events (`HTTPS` and `SOCKS5` are not both numbered).
fn has_digit(text: &str) -> bool {
    text.bytes().any(|c| c.is_ascii_digit())
}

/// Two words carrying the same digits (`ee0` and `alt0`): not one name numbered twice. Names one
/// letter apart (`aadmin1`, `badmin1`) are still a series.
fn same_number(a: &str, b: &str) -> bool {
    fn digits(t: &str) -> impl Iterator<Item = u8> + '_ {
        t.bytes().filter(u8::is_ascii_digit)
    }
    let one_apart =
        a.len() == b.len() && a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count() == 1;
    has_digit(a) && !one_apart && digits(a).eq(digits(b))
}

fn starts_upper(text: &str) -> bool {
    text.bytes().next().is_some_and(|c| c.is_ascii_uppercase())
}

fn is_boolean(text: &str) -> bool {
    ["true", "false", "null", "nil"]
        .iter()
        .any(|w| text.eq_ignore_ascii_case(w))
}

fn matches(c: &Cluster, message: &str, tokens: &[Token]) -> bool {
    // A template of variables only (`<*>`) would swallow every message of its shape: it takes
    // only messages whose tokens are masked too.
    let open = c.slots.iter().any(Option::is_some);
    c.slots.len() == tokens.len()
        && c.slots.iter().zip(tokens).all(|(slot, t)| match slot {
            None => open || t.var,
            Some(s) => !t.var && same(s.as_bytes(), t.text(message).as_bytes()),
        })
        && gaps_equal(&c.gaps, message, tokens)
}

/// Byte equality without a call into `memcmp` for the short texts tokens and gaps mostly are.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() > 16 {
        return a == b;
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// Stable id of a template: the same template gives the same id on every run and host.
pub fn template_id(template: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(template.as_bytes()))
}

/// The gaps of a message: before each token, and after the last.
fn gap_spans<'a>(message: &str, tokens: &'a [Token]) -> impl Iterator<Item = (usize, usize)> + 'a {
    let ends = tokens
        .iter()
        .map(|t| t.start as usize)
        .chain([message.len()]);
    let mut at = 0;
    ends.zip(tokens.iter().map(|t| t.end as usize).chain([message.len()]))
        .map(move |(start, end)| {
            let span = (at, start);
            at = end;
            span
        })
}

fn gaps(message: &str, tokens: &[Token]) -> Vec<Box<str>> {
    let last = tokens.len();
    gap_spans(message, tokens)
        .enumerate()
        .map(|(i, (s, e))| {
            let mut g = String::with_capacity(e - s);
            normalise(&message[s..e], i == 0, i == last, |part| g.push_str(part));
            g.into_boxed_str()
        })
        .collect()
}

fn gaps_equal(stored: &[Box<str>], message: &str, tokens: &[Token]) -> bool {
    let last = tokens.len();
    stored.len() == last + 1
        && gap_spans(message, tokens).enumerate().all(|(i, (s, e))| {
            let want = stored[i].as_bytes();
            let gap = &message[s..e];
            if gap.len() == want.len() && is_plain_gap(gap, i == 0, i == last) {
                return same(gap.as_bytes(), want);
            }
            let mut at = 0;
            let mut ok = true;
            normalise(&message[s..e], i == 0, i == last, |part| {
                ok = ok && want[at..].starts_with(part.as_bytes());
                at += part.len();
            });
            ok && at == want.len()
        })
}

/// Feed `gap` with whitespace runs as one space (none at the message's start or end) to `out`.
fn normalise(gap: &str, first: bool, last: bool, mut out: impl FnMut(&str)) {
    let gap = if first { gap.trim_start() } else { gap };
    let gap = if last { gap.trim_end() } else { gap };
    let mut rest = gap;
    while let Some(i) = rest.find(|c: char| c.is_whitespace()) {
        out(&rest[..i]);
        out(" ");
        rest = rest[i..].trim_start();
    }
    out(rest);
}

fn render(gaps: &[Box<str>], slots: &[Option<Box<str>>]) -> String {
    let mut out = String::new();
    for (gap, slot) in gaps.iter().zip(slots) {
        out.push_str(gap);
        out.push_str(slot.as_deref().unwrap_or(WILDCARD));
    }
    if let Some(last) = gaps.last() {
        out.push_str(last);
    }
    out
}

/// The words of a template (`gaps` and `slots`): the family form.
fn family(gaps: &[Box<str>], slots: &[Option<Box<str>>]) -> Family {
    let mut words: Vec<(String, bool)> = Vec::new();
    let mut current = String::new();
    let mut var = false;
    for (i, gap) in gaps.iter().enumerate() {
        for (k, part) in gap.split(' ').enumerate() {
            if k > 0 {
                words.push((std::mem::take(&mut current), var));
                var = false;
            }
            current.push_str(part);
        }
        if let Some(slot) = slots.get(i) {
            current.push_str(slot.as_deref().unwrap_or(WILDCARD));
            var |= slot.is_none();
        }
    }
    if !current.is_empty() || words.is_empty() {
        words.push((current, var));
    }
    // A unit after a value goes with it (`lifetime <1 sec` and `lifetime 00:17` are one event,
    // `(1.16 KB)` is a bracketed value): the unit is left out, its closing punctuation kept.
    let mut unit = vec![false; words.len()];
    let mut moved = vec![0; words.len()];
    for j in 1..words.len() {
        if words[j - 1].1 && !unit[j - 1] {
            // A unit, or a unit generalised (`(<*> <*>)`: `(1.2 KB)`, `(3.4 MB)`).
            let core = words[j]
                .0
                .trim_end_matches([')', ']', '}', ',', ';', ':', '.']);
            if if words[j].1 {
                core == WILDCARD
            } else {
                is_unit(core)
            } {
                let suffix = words[j].0[core.len()..].to_owned();
                moved[j - 1] = suffix.len();
                words[j - 1].0.push_str(&suffix);
                unit[j] = true;
            }
        }
    }
    let mut template = String::new();
    let mut kept = Vec::with_capacity(words.len());
    for (j, (word, var)) in words.iter().enumerate() {
        if !template.is_empty() {
            template.push(' ');
        }
        if unit[j] {
            if template.ends_with(' ') {
                template.pop();
            }
            kept.push(FamilyWord::Aside);
            continue;
        }
        if !var {
            template.push_str(word);
            kept.push(FamilyWord::Constant);
            continue;
        }
        let (before, after) = word_frame(word);
        if before.len() == 1 && after.len() == 1 && word.len() == before.len() + 3 + after.len() {
            // A bracketed value alone (`(1.16 KB)`) is an aside some messages of an event carry
            // and others not: it is left out of the family form.
            if template.ends_with(' ') {
                template.pop();
            }
            kept.push(FamilyWord::Aside);
            continue;
        }
        template.push_str(before);
        template.push_str(WILDCARD);
        template.push_str(after);
        kept.push(FamilyWord::Variable(
            before.len(),
            after.len().saturating_sub(moved[j]),
        ));
    }
    // A family needs a constant word to stand on: all-variable templates stay apart.
    let key = if kept.contains(&FamilyWord::Constant) {
        xxhash_rust::xxh3::xxh3_64(template.as_bytes())
    } else {
        xxhash_rust::xxh3::xxh3_64(render(gaps, slots).as_bytes()) ^ 0x5a5a
    };
    Family {
        key,
        id: template_id(&template).into(),
        template: template.into(),
        words: kept,
    }
}

/// What a word holding a variable keeps around its `<*>` in the family form: a `key=` prefix,
/// `key:` prefix, `key....` prefix, enclosing brackets or quotes, and trailing `,`, `;`, `:` or
/// brackets opened in an earlier word.
fn word_frame(word: &str) -> (&str, &str) {
    let first = word.find(WILDCARD).unwrap_or(0);
    let mut tail = word.len() - word.trim_end_matches([',', ';', ':']).len();
    // A bracket closing one opened in an earlier word (`(Release Date: <*>)`) is the sentence's.
    while word.len() - tail > first + WILDCARD.len() {
        let inside = &word.as_bytes()[..word.len() - tail];
        let closer = inside[inside.len() - 1];
        let opener = match closer {
            b')' => b'(',
            b']' => b'[',
            b'}' => b'{',
            _ => break,
        };
        let count = |c: u8| inside.iter().filter(|x| **x == c).count();
        if count(opener) >= count(closer) {
            break;
        }
        tail += 1;
    }
    let mut before = 0;
    if let Some(eq) = word[..first].rfind(['=', ':']) {
        before = eq + 1;
    }
    // A dot leader (`depth.........<*>`) separates a key from its value as `=` does.
    if let Some(dots) = word[before..first].rfind("..") {
        before += dots + 2;
    }
    let mut after = tail;
    // A bracket opened before the key (`(HWID=<*>)`) is closed after the value.
    for (o, c) in [('(', ')'), ('[', ']'), ('{', '}')] {
        let prefix = &word[..before];
        let opened = prefix.matches(o).count() > prefix.matches(c).count();
        if opened && word[..word.len() - after].ends_with(c) && word.len() - after > first {
            after += 1;
        }
    }
    let open = &word[before..];
    let body = &word[..word.len() - after];
    for (o, c) in [('(', ')'), ('[', ']'), ('{', '}'), ('"', '"'), ('\'', '\'')] {
        if open.starts_with(o) && body.len() > before + 1 && body.ends_with(c) {
            before += 1;
            after += 1;
            break;
        }
    }
    (&word[..before], &word[word.len() - after..])
}

/// Byte spans of the words of `message`, whitespace inside a token not splitting (a joined
/// variable such as `IRQs 3 4 5` is one word).
fn word_spans(message: &str, tokens: &[Token]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    let ends = tokens.len();
    for (i, (s, e)) in gap_spans(message, tokens).enumerate() {
        let gap = &message.as_bytes()[s..e];
        let mut j = 0;
        while j < gap.len() {
            if gap[j].is_ascii_whitespace() {
                if let Some(w) = start.take() {
                    spans.push((w, s + j));
                }
            } else if start.is_none() {
                start = Some(s + j);
            }
            j += 1;
        }
        if i < ends {
            let t = tokens[i];
            if start.is_none() {
                start = Some(t.start as usize);
            }
        }
    }
    if let Some(w) = start {
        spans.push((w, message.len()));
    }
    spans
}

/// FNV-1a: the shape (token count and normalised gaps) and the exact masked message.
fn keys(message: &str, tokens: &[Token]) -> (u64, u64) {
    // Per part an xxh3 hash, folded in order: far cheaper than hashing byte by byte.
    fn fold(h: u64, part: u64) -> u64 {
        (h ^ part)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29)
    }
    let mut shape = fold(0x243f_6a88_85a3_08d3, tokens.len() as u64);
    let last = tokens.len();
    let mut buffer = String::new();
    for (i, (s, e)) in gap_spans(message, tokens).enumerate() {
        let gap = &message[s..e];
        let part = if is_plain_gap(gap, i == 0, i == last) {
            gap
        } else {
            buffer.clear();
            normalise(gap, i == 0, i == last, |part| buffer.push_str(part));
            &buffer
        };
        shape = fold(shape, xxhash_rust::xxh3::xxh3_64(part.as_bytes()));
    }
    // Like the first level of Drain's tree, the first token (digits aside, so that `IRQ0` and
    // `IRQ9` can still meet) splits buckets: a bucket holds few clusters even when free text of
    // one shape pours in, and a lookup never scans the whole cap.
    if let Some(t) = tokens.first() {
        let first = if t.var {
            0x7f4a_7c15
        } else {
            let text = t.text(message).as_bytes();
            if text.iter().any(u8::is_ascii_digit) {
                buffer.clear();
                buffer.extend(
                    text.iter()
                        .filter(|c| !c.is_ascii_digit())
                        .map(|c| char::from(*c)),
                );
                xxhash_rust::xxh3::xxh3_64(buffer.as_bytes())
            } else {
                xxhash_rust::xxh3::xxh3_64(text)
            }
        };
        shape = fold(shape, first);
    }
    let mut key = shape;
    for t in tokens {
        let part = if t.var {
            0x5bd1_e995
        } else {
            xxhash_rust::xxh3::xxh3_64(t.text(message).as_bytes())
        };
        key = fold(key, part);
    }
    (shape, key)
}

/// A gap that normalising leaves as it is: no whitespace but single spaces, none at the ends of
/// the message.
fn is_plain_gap(gap: &str, first: bool, last: bool) -> bool {
    let b = gap.as_bytes();
    if (first || last) && b.iter().any(u8::is_ascii_whitespace) {
        return false;
    }
    let mut space = false;
    for c in b {
        if c.is_ascii_whitespace() {
            if space || *c != b' ' {
                return false;
            }
            space = true;
        } else if !c.is_ascii() {
            // Unicode whitespace is normalised too: take the slow path.
            return false;
        } else {
            space = false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::mask::{Masker, BUILTIN};

    struct Fixture {
        masker: Masker,
        miner: Miner,
        tokens: Vec<Token>,
    }

    impl Fixture {
        fn new(max: usize) -> Fixture {
            let names: Vec<String> = BUILTIN.iter().map(|s| s.to_string()).collect();
            Fixture {
                masker: Masker::new(&names, &[]),
                miner: Miner::new(max),
                tokens: Vec::new(),
            }
        }

        fn add(&mut self, message: &str) -> Mined {
            self.masker.tokenize(message, &mut self.tokens);
            self.miner.add(message, &self.tokens)
        }

        fn lookup(&mut self, message: &str) -> Mined {
            self.masker.tokenize(message, &mut self.tokens);
            self.miner.lookup(message, &self.tokens)
        }
    }

    #[test]
    fn masked_values_share_a_template_and_are_recovered_as_params() {
        let mut f = Fixture::new(100);
        let a = f.add("Receiving block blk_-1608 src: /10.0.0.1:50010 dest: /10.0.0.2:50010");
        let b = f.add("Receiving block blk_77 src: /10.0.0.3:50010 dest: /10.0.0.4:50010");
        assert_eq!(a.id, b.id);
        assert_eq!(
            &*b.template,
            "Receiving block <*> src: <*>:<*> dest: <*>:<*>"
        );
        assert_eq!(
            b.params,
            ["blk_77", "/10.0.0.3", "50010", "/10.0.0.4", "50010"]
        );
    }

    #[test]
    fn differing_words_generalise_when_they_look_variable_or_recur() {
        let mut f = Fixture::new(100);
        f.add("data_thread() got no answer from any [Thunderbird_A5] datasource");
        let b = f.add("data_thread() got no answer from any [Thunderbird_C4] datasource");
        assert_eq!(
            &*b.template,
            "data_thread() got no answer from any [<*>] datasource"
        );
        assert_eq!(b.params, ["Thunderbird_C4"]);

        // Two plain words are two events…
        let alice = f.add("session opened for user alice");
        let bob = f.add("session opened for user bob");
        assert_ne!(alice.id, bob.id);
        // …a third makes the position a variable, and the earlier clusters are absorbed.
        let carol = f.add("session opened for user carol");
        assert_eq!(&*carol.template, "session opened for user <*>");
        assert_eq!(f.lookup("session opened for user alice").id, carol.id);
        // Capitalised words are more often vocabulary: four are still four events.
        for state in ["Started", "Paused", "Resumed", "Stopped"] {
            let m = f.add(&format!("VM {state} (Lifecycle Event)"));
            assert_eq!(&*m.template, format!("VM {state} (Lifecycle Event)"));
        }
        assert_eq!(f.miner.len(), 6);
    }

    #[test]
    fn different_events_stay_apart() {
        let mut f = Fixture::new(100);
        let a = f.add("connection closed by peer");
        let b = f.add("session opened for user");
        let c = f.add("warning");
        let d = f.add("normal");
        let ids = [a.id, b.id, c.id, d.id];
        for (i, x) in ids.iter().enumerate() {
            for y in &ids[i + 1..] {
                assert_ne!(x, y);
            }
        }
    }

    #[test]
    fn templates_reassemble_the_message() {
        let mut f = Fixture::new(100);
        let m = f.add("  pam_unix(sshd:auth):   check pass;  user unknown ");
        assert_eq!(
            &*m.template,
            "pam_unix(sshd:auth): check pass; user unknown"
        );
        let m = f.add("[12:02:22.126] done, err=-16020 (kFigError)");
        assert_eq!(&*m.template, "[<*>:<*>:<*>] done, err=<*> (kFigError)");
    }

    #[test]
    fn a_unit_varies_with_its_value() {
        let mut f = Fixture::new(100);
        let a = f.add("cache holds 93 B after flush");
        assert_eq!(&*a.template, "cache holds <*> B after flush");
        let b = f.add("cache holds 12 KB after flush");
        assert_eq!(&*b.template, "cache holds <*> <*> after flush");
        assert_eq!(f.lookup("cache holds 93 B after flush").id, b.id);
        // A word after a value that is not a unit is not taken for one.
        let mut f = Fixture::new(100);
        let a = f.add("cache holds 93 B after flush");
        let c = f.add("cache holds 12 pages after flush");
        assert_ne!(a.id, c.id);
    }

    #[test]
    fn values_written_differently_are_one_family() {
        let mut f = Fixture::new(100);
        let a = f.add("connection closed, lifetime <1 sec");
        let b = f.add("connection closed, lifetime 00:17");
        assert_eq!(&*a.template, "connection closed, lifetime <<*> sec");
        assert_eq!(&*b.template, "connection closed, lifetime <*>");
        assert_eq!(f.lookup("connection closed, lifetime <1 sec").id, b.id);
        let c = f.add("sent 1190 bytes (1.16 KB) in total");
        let d = f.add("sent 1165 bytes (1.13 MB) in total");
        let e = f.add("sent 815 bytes in total");
        assert_eq!(c.id, d.id);
        assert_eq!(&*e.template, "sent <*> bytes in total");
        assert_eq!(f.lookup("sent 1190 bytes (1.16 KB) in total").id, e.id);
    }

    #[test]
    fn a_dot_leader_keeps_its_key_in_the_family() {
        let mut f = Fixture::new(100);
        let depth = f.add("cache prefetch depth.........0");
        let limit = f.add("cache prefetch limit..............0");
        assert_eq!(&*depth.template, "cache prefetch depth.........<*>");
        assert_eq!(&*limit.template, "cache prefetch limit..............<*>");
        assert_ne!(depth.id, limit.id);
    }

    #[test]
    fn a_family_keeps_the_bracket_closing_an_earlier_word() {
        let mut f = Fixture::new(100);
        f.add("kernel #38#-rh1 (Release Date: Fri Dec 10 19:02:14 EST 2004)");
        let m = f.add("kernel #39# (Release Date: Mon Sep 27 22:15:07 EDT 2004)");
        assert_eq!(&*m.template, "kernel <*> (Release Date: <*>)");
    }

    #[test]
    fn odd_words_with_brackets_and_wide_characters_are_framed_on_char_boundaries() {
        let mut f = Fixture::new(100);
        for line in [
            "[<_Z='-|([(<-~]\"-<{:[-é.Z\\12@é]",
            "x (k=[é12]) y",
            "a (b[c=12]é) z)",
            "é) 12] ü}",
        ] {
            let m = f.add(line);
            assert_eq!(&*m.id, template_id(&m.template));
        }
    }

    #[test]
    fn a_family_keeps_the_bracket_opened_before_a_key() {
        let mut f = Fixture::new(100);
        f.add("Component 12 is down (HWID=1973)");
        let m = f.add("Component LOCAL(0) is down (HWID=1974)");
        assert_eq!(&*m.template, "Component <*> is down (HWID=<*>)");
        assert_eq!(m.params, ["LOCAL(0)", "1974"]);
    }

    #[test]
    fn names_sharing_a_number_are_different_names() {
        let mut f = Fixture::new(100);
        let ids: Vec<Arc<str>> = ["ee0", "alt0", "scip0", "ee0"]
            .iter()
            .map(|dev| f.add(&format!("connection found via interface {dev}")).id)
            .collect();
        assert_eq!(ids[0], ids[3]);
        assert_ne!(ids[0], ids[1]);
        assert_ne!(ids[1], ids[2]);
        assert_ne!(ids[0], ids[2]);
        // Numbered differently, or one letter apart, they are one name's series.
        f.add("name (aadmin1) unknown; retrying");
        let m = f.add("name (badmin1) unknown; retrying");
        assert_eq!(&*m.template, "name (<*>) unknown; retrying");
        f.add("link up on port3");
        let m = f.add("link up on port7");
        assert_eq!(&*m.template, "link up on <*>");
    }

    #[test]
    fn deterministic_and_id_is_a_hash_of_the_template() {
        let lines: Vec<String> = (0..500)
            .map(|i| {
                format!(
                    "user u{} logged in from host{} after {} tries",
                    i % 7,
                    i % 3,
                    i
                )
            })
            .collect();
        let run = || {
            let mut f = Fixture::new(100);
            lines.iter().map(|l| f.add(l)).collect::<Vec<_>>()
        };
        let (a, b) = (run(), run());
        assert_eq!(a, b);
        for m in &a {
            assert_eq!(&*m.id, template_id(&m.template));
        }
    }

    #[test]
    fn clusters_are_capped_and_the_least_recently_used_go_first() {
        let mut f = Fixture::new(32);
        f.add("keep this one alive");
        for i in 0..1000 {
            let word: String = (0..6)
                .map(|k| char::from(b'a' + ((i / 26usize.pow(k)) % 26) as u8))
                .collect();
            f.add(&format!("{word} {word} {word} {word}"));
            f.add("keep this one alive");
            assert!(f.miner.len() <= 32);
        }
        assert!(f.miner.evicted() > 0);
        let kept = f.miner.clusters();
        assert!(kept.iter().any(|c| c.template == "keep this one alive"));
    }
}
