# The riskgraph API image (used by docker-compose.yml; Neo4j runs in its own container).
FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY riskgraph ./riskgraph
COPY cypher ./cypher
RUN pip install .
# the audit log and the GNN model (docker-compose.yml mounts a volume here); nobody owns it
RUN mkdir -p /var/lib/riskgraph/models && chown -R nobody /var/lib/riskgraph
USER nobody
EXPOSE 8000
CMD ["riskgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
