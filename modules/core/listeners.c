/* Listening sockets. Each loop thread binds its own socket per port with SO_REUSEPORT, so the kernel spreads
 * connections over the threads without a shared accept lock. */
#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include "core_int.h"

int gh_listener_bind(const char *host, int port, gh_err_t *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res = NULL;
    char portstr[16];
    int fd = -1, on = 1, gai;

    snprintf(portstr, sizeof(portstr), "%d", port);
    if ((gai = getaddrinfo(host, portstr, &hints, &res)) != 0) {
        gh_err_set(err, GH_E_CONFIG, "cannot resolve listen address %s: %s", host, gai_strerror(gai));
        return -1;
    }
    if ((fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0)) < 0)
        goto fail;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0)
        goto fail;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0)
        goto fail;
    freeaddrinfo(res);
    return fd;
fail:
    gh_err_set(err, GH_E_CONFIG, "cannot listen on %s:%d: %s", host, port, strerror(errno));
    if (fd >= 0)
        close(fd);
    freeaddrinfo(res);
    return -1;
}

void gh_listener_on_accept(h2o_socket_t *listener, const char *err)
{
    h2o_accept_ctx_t *actx = listener->data;
    h2o_socket_t *sock;

    if (err != NULL)
        return;
    /* drain the backlog: one readiness event may stand for many connections */
    while ((sock = h2o_evloop_socket_accept(listener)) != NULL)
        h2o_accept(actx, sock);
}
