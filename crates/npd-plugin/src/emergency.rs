//! The process's allocator: the C library's, until the alarm's handler takes over.
//!
//! The alarm ([`crate::watchdog`]) answers from a signal handler, which may have
//! interrupted malloc or free halfway; calling them again from there could corrupt the
//! heap or wait for ever on its lock. From [`take_over`] on, every allocation comes
//! from a static arena (bumped, never reused) and every free is ignored: the handler
//! only formats one line and a metrics file, then exits. Until then the only cost is
//! one relaxed load per allocation.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Ample for an answer and a metrics file (a few KiB); in .bss, so that no page of it
/// is touched unless the handler runs.
const ARENA: usize = 256 << 10;

#[repr(C, align(4096))]
struct Arena(UnsafeCell<[u8; ARENA]>);

// SAFETY: bytes of it are handed out at most once each (NEXT only grows).
unsafe impl Sync for Arena {}

static MEMORY: Arena = Arena(UnsafeCell::new([0; ARENA]));
static NEXT: AtomicUsize = AtomicUsize::new(0);
static TAKEN_OVER: AtomicBool = AtomicBool::new(false);

/// From now on, allocate from the arena only.
pub(crate) fn take_over() {
    TAKEN_OVER.store(true, Ordering::SeqCst);
}

/// The C library's allocator, and the arena once the handler has taken over.
pub struct Allocator;

fn in_arena(ptr: *mut u8) -> bool {
    let start = MEMORY.0.get() as usize;
    (start..start + ARENA).contains(&(ptr as usize))
}

/// `layout`'s worth of the arena; null when it is used up (the allocation then fails
/// as any other would). Out of line: every allocation site of every binary would
/// otherwise carry a copy of a path only the handler takes.
#[cold]
#[inline(never)]
fn bump(layout: Layout) -> *mut u8 {
    let start = MEMORY.0.get() as usize;
    let mut next = NEXT.load(Ordering::Relaxed);
    loop {
        let at = (start + next).next_multiple_of(layout.align()) - start;
        let Some(end) = at.checked_add(layout.size()).filter(|e| *e <= ARENA) else {
            return std::ptr::null_mut();
        };
        match NEXT.compare_exchange_weak(next, end, Ordering::Relaxed, Ordering::Relaxed) {
            // The arena starts zeroed and no byte is handed out twice: the memory is
            // also what alloc_zeroed must give.
            Ok(_) => return (start + at) as *mut u8,
            Err(now) => next = now,
        }
    }
}

// SAFETY: every path returns memory of the layout asked for, from the C library or
// from the arena (aligned by `bump`), and never frees arena memory or anything once
// the arena has taken over.
//
// Each method out of line: inlined at the hundreds of allocation sites LTO sees, the
// extra test made every binary ~16 KB larger.
unsafe impl GlobalAlloc for Allocator {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if TAKEN_OVER.load(Ordering::Relaxed) {
            return bump(layout);
        }
        // SAFETY: forwarded as received.
        unsafe { System.alloc(layout) }
    }

    #[inline(never)]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if TAKEN_OVER.load(Ordering::Relaxed) {
            return bump(layout);
        }
        // SAFETY: forwarded as received.
        unsafe { System.alloc_zeroed(layout) }
    }

    #[inline(never)]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if in_arena(ptr) || TAKEN_OVER.load(Ordering::Relaxed) {
            return;
        }
        // SAFETY: memory the C library gave, as received.
        unsafe { System.dealloc(ptr, layout) }
    }

    #[inline(never)]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !in_arena(ptr) && !TAKEN_OVER.load(Ordering::Relaxed) {
            // SAFETY: memory the C library gave, as received.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // SAFETY: as received.
        unsafe { realloc_in_arena(ptr, layout, new_size) }
    }
}

/// A copy of `ptr`'s block, resized, in the arena (where blocks never grow in place).
///
/// # Safety
/// As for [`GlobalAlloc::realloc`].
#[cold]
#[inline(never)]
unsafe fn realloc_in_arena(ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
    // SAFETY: the caller guarantees the new layout is valid (GlobalAlloc::realloc).
    let new = bump(unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) });
    if !new.is_null() {
        // SAFETY: both blocks hold at least the smaller size and do not overlap (the
        // new one was never handed out before).
        unsafe { std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
    }
    new
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arena_hands_out_aligned_bytes_once_and_says_when_it_is_used_up() {
        let a = bump(Layout::from_size_align(3, 1).unwrap());
        let b = bump(Layout::from_size_align(16, 64).unwrap());
        assert!(!a.is_null() && !b.is_null());
        assert_eq!(b as usize % 64, 0);
        assert!(b as usize >= a as usize + 3);
        assert!(in_arena(a) && in_arena(b));
        assert!(bump(Layout::from_size_align(ARENA, 1).unwrap()).is_null());
        assert!(!in_arena(Box::into_raw(Box::new(0u64)).cast()));
    }
}
