"""The board file: its declaration, loading and checking, writing back, and its secrets.

Most callers need only this: `find_board_path()` and `load_board()` to get a `BoardConfig`,
`BoardFileError` for what is wrong with a file, `save_board()` for the editor, and
`app.config.secrets.resolve_token()` when a source or tracker needs its token.
"""

from app.config.board import (
    BoardConfig,
    EnvironmentConfig,
    PipelineConfig,
    TrackerConfig,
)
from app.config.errors import BoardFileError, BoardIssue
from app.config.loader import build_board, find_board_path, load_board, parse_board
from app.config.writer import board_document, dump_board, save_board

__all__ = [
    "BoardConfig",
    "BoardFileError",
    "BoardIssue",
    "EnvironmentConfig",
    "PipelineConfig",
    "TrackerConfig",
    "board_document",
    "build_board",
    "dump_board",
    "find_board_path",
    "load_board",
    "parse_board",
    "save_board",
]
