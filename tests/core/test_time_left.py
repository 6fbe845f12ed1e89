"""The time left shown beside a long step's progress bar."""

from explorer.core.progress import time_left_text


def test_time_left_follows_the_steps_own_rate():
    assert time_left_text(250, 1000, 60.0) == " · about 3 min left"  # a quarter in a minute: three more
    assert time_left_text(900, 1000, 90.0) == " · about 10 s left"
    assert time_left_text(1, 1000, 10.0) == " · about 2.8 h left"
    assert time_left_text(999, 1000, 3.0) == " · about 5 s left"  # never "0 s"


def test_no_time_left_while_it_would_say_little():
    assert time_left_text(0, 1000, 30.0) == ""  # nothing done yet
    assert time_left_text(500, 1000, 1.0) == ""  # under 3 s in
    assert time_left_text(1000, 1000, 30.0) == ""  # finished
    assert time_left_text(500, 0, 30.0) == ""  # total unknown
