"""Put a finished file in place of another: atomically for readers, without ext4's flush on rename.

``os.replace`` over an existing file is atomic, but on ext4 (the default Linux filesystem, with its
default ``auto_da_alloc``) renaming over a file makes the kernel allocate and start writing the
new file's blocks there and then, so that a power cut does not leave it empty. Measured here, that
costs 0.35-0.5 ms a rename, about as much as the rest of a development-mode job. Exchanging the
two names (``renameat2(RENAME_EXCHANGE)``, Linux 3.15+) and deleting the old file, now under the
new one's name, is as atomic for every reader (the target always names the old or the new file),
and leaves the writing to the kernel's usual writeback, like a file written in place.

What this gives up is what writing in place gives up: for up to the kernel's writeback delay
(about 30 s) after the rename, a power cut (not a crash of a process) may leave the new file
empty. Where that matters, a caller fsyncs the file before replacing (the filesystem store's
``durable``), and then the exchange costs nothing more than ``os.replace``.

Elsewhere (another system, a filesystem without the exchange, a target not there yet) this is
``os.replace``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_renameat2: list[Any] = []  # the libc function, once looked up; [None] where there is none


def replace_file(source: str, target: str) -> None:
    """Put ``source`` at ``target`` (which may not exist), removing the old one; folders are renamed."""
    if not os.path.isfile(target) or not os.path.isfile(source) or not _exchange(source, target):
        os.replace(source, target)
        return
    with contextlib.suppress(FileNotFoundError):  # removed already: the new file is in place all the same
        os.remove(source)  # the old file, now under the staged name


def _exchange(source: str, target: str) -> bool:
    """Swap the two names; False where the exchange is not available (the caller renames instead)."""
    function = _function()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), _RENAME_EXCHANGE) == 0:
        return True
    import ctypes
    import errno

    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOENT, errno.EXDEV, errno.ENOTSUP):
        if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            _renameat2[:] = [None]  # this filesystem or kernel has no exchange: stop trying
        return False
    raise OSError(code, os.strerror(code), source, None, target)


def _function() -> Any:
    if not _renameat2:
        function = None
        if sys.platform == "linux":
            import ctypes  # only here: it costs a few ms to import, and a first write needs no exchange

            try:
                function = ctypes.CDLL(None, use_errno=True).renameat2
                function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
                function.restype = ctypes.c_int
            except AttributeError:  # a libc older than glibc 2.28
                function = None
        _renameat2.append(function)
    return _renameat2[0]
