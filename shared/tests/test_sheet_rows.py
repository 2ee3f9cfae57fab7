"""A CSV's data rows as a job's progress counts them: the rows the import reads."""

import io

from baan_shared.sheets import count_csv_rows, read_rows


def test_the_count_of_a_csv_is_the_rows_read_blank_and_space_only_rows_left_out() -> None:
    content = (
        "ชื่อ,หมู่บ้าน\r\n"
        "สมศรี,หมู่ 3\r\n"
        ",\r\n"  # empty cells
        " , \u3000\r\n"  # spaces only, an ideographic one among them
        "\r\n"
        '"สมชาย\nใจดี",\r\n'  # a line break inside a quoted cell
        " ,ม.5\r\n"
    ).encode()
    counted = count_csv_rows(io.BytesIO(content))
    _, rows = read_rows("csv", io.BytesIO(content))
    assert counted == len(list(rows)) == 3
