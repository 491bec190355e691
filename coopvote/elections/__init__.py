"""Elections the co-operative way: contests for each constituency's seats, nominations with
seconders and statements, seats filled unopposed or left vacant when nominations close, and
contested seats put to ordinary ballots (issue 15)."""
