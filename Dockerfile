# The riskgraph API image (used by docker-compose.yml; Neo4j runs in its own container).
FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 UV_NO_CACHE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml requirements.lock README.md ./
COPY riskgraph ./riskgraph
COPY cypher ./cypher
# The versions pinned in requirements.lock; torch is the CPU build from PyTorch's wheel index
# (pyproject.toml's [tool.uv.sources]), so no nvidia-* libraries: the check fails otherwise.
RUN pip install "uv==0.13.9" \
    && uv pip install --system -c requirements.lock . \
    && pip uninstall -y uv \
    && python -c "import torch; assert torch.version.cuda is None, torch.__version__"
# the audit log and the GNN model (docker-compose.yml mounts a volume here); nobody owns it
RUN mkdir -p /var/lib/riskgraph/models && chown -R nobody /var/lib/riskgraph
USER nobody
EXPOSE 8000
CMD ["riskgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
