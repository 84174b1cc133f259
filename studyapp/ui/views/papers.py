"""Papers: the SLR's records, each coded with the SLR codebook."""

from studyapp.ui.views._units import unit_list_page


def render() -> None:
    unit_list_page("paper", "Papers", "papers", "Abstract")


if __name__ == "__main__":
    render()
