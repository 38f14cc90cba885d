//! Matching: the parsed expression compiled to a small program and run by a backtracker
//! that marks every (instruction, position) it has tried, as RE2's bit-state matcher
//! does. Trying alternatives in priority order from the leftmost start gives Go's
//! leftmost-first match, and the marks keep it linear in the text: a pair that failed
//! once fails again, whatever the captures.

use super::names;
use super::{Assert, Class, Item, Node};

/// Byte offsets of the whole match (`0`) and of each group (`None` when it did not
/// take part).
pub type Captures = Vec<Option<(usize, usize)>>;

#[derive(Debug, Clone)]
enum Inst {
    Char { c: u32, fold: bool },
    Class(Class),
    Any,
    AnyNotNewline,
    Split(usize, usize),
    Jmp(usize),
    Save(usize),
    Assert(Assert),
    Match,
}

#[derive(Debug, Clone)]
pub struct Program {
    insts: Vec<Inst>,
    slots: usize,
}

/// The case variants Go's `(?i)` treats as equal to `c`, as far as matching here
/// needs: its lower- and upper-case forms when they are single characters.
fn variants(c: u32) -> [u32; 3] {
    fn single(mut it: impl Iterator<Item = char>) -> Option<u32> {
        let first = it.next()?;
        it.next().is_none().then_some(first as u32)
    }
    let Some(ch) = char::from_u32(c) else {
        return [c, c, c];
    };
    let lower = single(ch.to_lowercase()).unwrap_or(c);
    let upper = single(ch.to_uppercase()).unwrap_or(c);
    [c, lower, upper]
}

fn fold_eq(a: u32, b: u32) -> bool {
    let (va, vb) = (variants(a), variants(b));
    a == b || va[1] == vb[1] || va[2] == vb[2]
}

fn item_has(item: &Item, c: u32) -> Result<bool, String> {
    Ok(match item {
        Item::Range(lo, hi) => (*lo..=*hi).contains(&c),
        Item::Set { ranges, negated } => {
            ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
        }
        Item::Table { name, negated } => match names::table_has(name, c) {
            Some(has) => has != *negated,
            None => return Err(format!("\\p{{{name}}}")),
        },
    })
}

fn class_match(class: &Class, c: u32) -> Result<bool, String> {
    let candidates = if class.fold { variants(c) } else { [c, c, c] };
    let mut inside = false;
    for item in &class.items {
        for &v in &candidates {
            if item_has(item, v)? {
                inside = true;
            }
        }
    }
    Ok(inside != class.negated)
}

/// Whether `class` contains `c` (a class npd-checks cannot match counts as containing
/// it: the answer is used to warn, not to match).
pub fn class_has(class: &Class, c: u32) -> bool {
    class_match(class, c).unwrap_or(true)
}

/// Whether `node` can match without consuming a character, as Go's compiler judges it.
fn nullable(node: &Node) -> bool {
    match node {
        Node::Empty | Node::Assert(_) => true,
        Node::Literal { .. } | Node::Class(_) | Node::AnyChar | Node::AnyNotNewline => false,
        Node::Group(sub, _) => nullable(sub),
        Node::Concat(items) => items.iter().all(nullable),
        Node::Alternate(items) => items.iter().any(nullable),
        Node::Repeat { sub, min, .. } => *min == 0 || nullable(sub),
    }
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Program {
    pub fn compile(root: &Node, groups: usize) -> Program {
        let mut p = Program {
            insts: Vec::new(),
            slots: 2 * (groups + 1),
        };
        p.insts.push(Inst::Save(0));
        p.emit(root);
        p.insts.push(Inst::Save(1));
        p.insts.push(Inst::Match);
        p
    }

    fn emit(&mut self, node: &Node) {
        match node {
            Node::Empty => {}
            Node::Literal { c, fold } => self.insts.push(Inst::Char { c: *c, fold: *fold }),
            Node::Class(class) => self.insts.push(Inst::Class(class.clone())),
            Node::AnyChar => self.insts.push(Inst::Any),
            Node::AnyNotNewline => self.insts.push(Inst::AnyNotNewline),
            Node::Assert(a) => self.insts.push(Inst::Assert(*a)),
            Node::Group(sub, None) => self.emit(sub),
            Node::Group(sub, Some(i)) => {
                self.insts.push(Inst::Save(2 * i));
                self.emit(sub);
                self.insts.push(Inst::Save(2 * i + 1));
            }
            Node::Concat(items) => items.iter().for_each(|i| self.emit(i)),
            Node::Alternate(branches) => {
                let mut ends = Vec::new();
                for (k, branch) in branches.iter().enumerate() {
                    if k + 1 == branches.len() {
                        self.emit(branch);
                        break;
                    }
                    let split = self.placeholder();
                    self.emit(branch);
                    ends.push(self.placeholder());
                    let next = self.insts.len();
                    self.insts[split] = Inst::Split(split + 1, next);
                }
                let end = self.insts.len();
                for at in ends {
                    self.insts[at] = Inst::Jmp(end);
                }
            }
            Node::Repeat {
                sub,
                min,
                max,
                greedy,
            } => {
                // As Go compiles them: `x{n,}` is n-1 copies then `x+`, and `x*` of an
                // `x` that can match empty is `(x+)?`, so that an empty iteration is
                // still taken once (its captures set) before the loop stops.
                match max {
                    None if *min == 0 && !nullable(sub) => {
                        let split = self.placeholder();
                        self.emit(sub);
                        self.insts.push(Inst::Jmp(split));
                        let end = self.insts.len();
                        self.insts[split] = self.choice(split + 1, end, *greedy);
                    }
                    None => {
                        let quest = (*min == 0).then(|| self.placeholder());
                        for _ in 1..(*min).max(1) {
                            self.emit(sub);
                        }
                        let body = self.insts.len();
                        self.emit(sub);
                        let split = self.placeholder();
                        self.insts[split] = self.choice(body, split + 1, *greedy);
                        if let Some(at) = quest {
                            let end = self.insts.len();
                            self.insts[at] = self.choice(at + 1, end, *greedy);
                        }
                    }
                    Some(max) => {
                        for _ in 0..*min {
                            self.emit(sub);
                        }
                        let mut splits = Vec::new();
                        for _ in *min..*max {
                            splits.push(self.placeholder());
                            self.emit(sub);
                        }
                        let end = self.insts.len();
                        for at in splits {
                            self.insts[at] = self.choice(at + 1, end, *greedy);
                        }
                    }
                }
            }
        }
    }

    fn placeholder(&mut self) -> usize {
        self.insts.push(Inst::Match);
        self.insts.len() - 1
    }

    fn choice(&self, more: usize, done: usize, greedy: bool) -> Inst {
        if greedy {
            Inst::Split(more, done)
        } else {
            Inst::Split(done, more)
        }
    }

    /// The leftmost-first match in `text`.
    pub fn search(&self, text: &str) -> Result<Option<Captures>, String> {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let n = chars.len();
        let offset = |pos: usize| chars.get(pos).map_or(text.len(), |(b, _)| *b);
        let at = |pos: usize| chars.get(pos).map(|(_, c)| *c);
        let mut visited = vec![false; self.insts.len() * (n + 1)];
        enum Job {
            Try(usize, usize),
            Restore(usize, Option<usize>),
        }
        for start in 0..=n {
            let mut caps: Vec<Option<usize>> = vec![None; self.slots];
            let mut stack = vec![Job::Try(0, start)];
            while let Some(job) = stack.pop() {
                let (mut pc, mut pos) = match job {
                    Job::Restore(slot, old) => {
                        caps[slot] = old;
                        continue;
                    }
                    Job::Try(pc, pos) => (pc, pos),
                };
                loop {
                    let mark = pc * (n + 1) + pos;
                    if visited[mark] {
                        break;
                    }
                    visited[mark] = true;
                    let ok = match &self.insts[pc] {
                        Inst::Char { c, fold } => at(pos)
                            .is_some_and(|x| x as u32 == *c || (*fold && fold_eq(x as u32, *c))),
                        Inst::Class(class) => match at(pos) {
                            Some(x) => class_match(class, x as u32)?,
                            None => false,
                        },
                        Inst::Any => pos < n,
                        Inst::AnyNotNewline => at(pos).is_some_and(|x| x != '\n'),
                        Inst::Split(a, b) => {
                            stack.push(Job::Try(*b, pos));
                            pc = *a;
                            continue;
                        }
                        Inst::Jmp(a) => {
                            pc = *a;
                            continue;
                        }
                        Inst::Save(slot) => {
                            stack.push(Job::Restore(*slot, caps[*slot]));
                            caps[*slot] = Some(pos);
                            pc += 1;
                            continue;
                        }
                        Inst::Assert(a) => {
                            let (before, after) = (pos.checked_sub(1).and_then(at), at(pos));
                            let holds = match a {
                                Assert::BeginText => pos == 0,
                                Assert::EndText => pos == n,
                                Assert::BeginLine => pos == 0 || before == Some('\n'),
                                Assert::EndLine => pos == n || after == Some('\n'),
                                Assert::WordBoundary => is_word(before) != is_word(after),
                                Assert::NoWordBoundary => is_word(before) == is_word(after),
                            };
                            if holds {
                                pc += 1;
                                continue;
                            }
                            false
                        }
                        Inst::Match => {
                            let pairs = caps
                                .chunks(2)
                                .map(|p| match (p[0], p[1]) {
                                    (Some(a), Some(b)) => Some((offset(a), offset(b))),
                                    _ => None,
                                })
                                .collect();
                            return Ok(Some(pairs));
                        }
                    };
                    if !ok {
                        break;
                    }
                    pc += 1;
                    pos += 1;
                }
            }
        }
        Ok(None)
    }
}
