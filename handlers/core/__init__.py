"""What every feature stands on: the handler contract and the county's rules of the game.

The contract: `messages` (what a transport hands the core and gets back), `context` (who speaks, when,
the repositories), `registry` (`@router.on(...)`), `commands` (what is never an answer to a draft),
`receipts` (how the bot says back what it understood). The county: `roster` (who is who), `rules`
(`[schedule]`, `[scoring]`, `[reporting]`), `metrics` (target keys as types), `periods` (months,
quarters, deadlines), `workdays` (the Chinese calendar), `words`. Nothing here imports another folder.
"""
