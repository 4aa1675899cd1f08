"""Parse queries."""


def parse(text):
    return text.split()
