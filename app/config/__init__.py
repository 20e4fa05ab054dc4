"""The board file: its declaration, loading and checking, writing back, and its secrets.

Where to look: `loader` (`find_board_path()`, `load_board()` give a `BoardConfig`), `errors`
(`BoardFileError`: what is wrong with a file, one `file:line:key: message` line per mistake),
`settings` (every key, declared once: the loader, editor, writer and docs read it), `checks`
and `rules` (one value, several keys), `writer` (`save_board()` for the editor) and `secrets`
(`resolve_token()` when a source or tracker needs its token). Nothing is re-exported here:
import from the module that owns the name.
"""
