"""Defects: issues labelled against the defect taxonomy."""

from studyapp.ui.pages._units import unit_list_page


def render() -> None:
    unit_list_page("defect", "Defects", "defects", "Issue text")


if __name__ == "__main__":
    render()
