from readlog.services import collecting_reads


class ReadLogMiddleware:
    """Writes the TLP:RED reads of a request as one INSERT once its response is made."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with collecting_reads():
            return self.get_response(request)
