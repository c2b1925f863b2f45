"""Pure-Python domain logic: no Qt, no SQL, no files except the ones handed in."""
