def looks_like_jwt(data):
    return False
def is_credential(doc):
    return False
